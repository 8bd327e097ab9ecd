#include "crypto/zk/params.h"

#include <map>
#include <mutex>

namespace custos::zk {

const BigInt& pow2(unsigned bits) {
  static std::mutex mu;
  static std::map<unsigned, BigInt> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(bits);
  if (it == cache.end()) it = cache.emplace(bits, BigInt::power_of_two(bits)).first;
  return it->second;
}

}  // namespace custos::zk
