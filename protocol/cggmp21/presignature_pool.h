// In-memory pool of unused presignatures (DESIGN §7, notes §3.4: a presignature
// is used at most once). take() removes a presignature and remembers its id, so
// a second take() of the same id — or adding it again — fails: nothing handed
// out by the pool can be signed with twice. Thread-safe.
//
// This is the in-process form used by tests, the simulator and benchmarks; the
// node's durable pool marks "used" in a committed SQLite transaction before the
// online round runs, with the same contract.
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "crypto/status.h"
#include "protocol/cggmp21/presign.h"

namespace custos::cggmp21 {

class PresignaturePool {
 public:
  // Adds an unused presignature. Fails if a presignature with its id is in the
  // pool, or was taken before (a used presignature can never come back).
  Status add(Presignature ps);

  // Removes and returns the presignature `id`, and marks it used. Fails with
  // kFailedPrecondition if it was already taken, kNotFound if it was never added.
  Result<Presignature> take(const Digest32& id);

  bool contains(const Digest32& id) const;  // unused and in the pool
  bool was_used(const Digest32& id) const;
  size_t size() const;  // unused presignatures

 private:
  mutable std::mutex mu_;
  std::map<Digest32, Presignature> unused_;
  std::set<Digest32> used_;
};

}  // namespace custos::cggmp21
