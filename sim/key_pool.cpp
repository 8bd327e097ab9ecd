#include "sim/key_pool.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace custos::sim {

std::string test_paillier_keys_path() { return CUSTOS_SOURCE_DIR "/tests/data/paillier_test_keys.txt"; }

Result<PaillierKeys> load_paillier_keys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status(Code::kNotFound, "cannot open Paillier key file " + path);
  PaillierKeys out;
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string p, q, extra;
    if (!(ss >> p >> q) || (ss >> extra)) {
      return malformed(path + ":" + std::to_string(lineno) + ": expected two hex numbers");
    }
    for (const std::string& h : {p, q}) {
      if (h.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return malformed(path + ":" + std::to_string(lineno) + ": not lowercase hex");
      }
    }
    auto key = PaillierSecretKey::from_primes(BigInt::from_hex(p), BigInt::from_hex(q), 2048);
    if (!key.ok()) return key.status().with_context(path + ":" + std::to_string(lineno));
    out.push_back(std::make_shared<const PaillierSecretKey>(std::move(key).value()));
  }
  return out;
}

const PaillierKeys& test_paillier_keys() {
  static const PaillierKeys keys = [] {
    auto k = load_paillier_keys(test_paillier_keys_path());
    if (!k.ok()) {
      std::fprintf(stderr, "FATAL: %s\n", k.status().to_string().c_str());
      std::abort();
    }
    return std::move(k).value();
  }();
  return keys;
}

}  // namespace custos::sim
