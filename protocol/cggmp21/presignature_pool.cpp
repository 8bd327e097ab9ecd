#include "protocol/cggmp21/presignature_pool.h"

#include <string>

namespace custos::cggmp21 {
namespace {

std::string short_id(const Digest32& id) {
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < 8; ++i) {
    s += hex[id[i] >> 4];
    s += hex[id[i] & 15];
  }
  return s + "…";
}

}  // namespace

Status PresignaturePool::add(Presignature ps) {
  std::lock_guard<std::mutex> lock(mu_);
  if (used_.count(ps.id)) {
    return failed_precondition("presignature " + short_id(ps.id) + " was already used and cannot be added again");
  }
  if (unused_.count(ps.id)) return invalid_argument("presignature " + short_id(ps.id) + " is already in the pool");
  Digest32 id = ps.id;
  unused_.emplace(id, std::move(ps));
  return ok_status();
}

Result<Presignature> PresignaturePool::take(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (used_.count(id)) {
    return failed_precondition("presignature " + short_id(id) + " was already used: a presignature signs only once");
  }
  auto it = unused_.find(id);
  if (it == unused_.end()) return Status(Code::kNotFound, "no presignature " + short_id(id) + " in the pool");
  Presignature ps = std::move(it->second);
  unused_.erase(it);
  used_.insert(id);
  return ps;
}

bool PresignaturePool::contains(const Digest32& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return unused_.count(id) != 0;
}

bool PresignaturePool::was_used(const Digest32& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_.count(id) != 0;
}

size_t PresignaturePool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return unused_.size();
}

}  // namespace custos::cggmp21
