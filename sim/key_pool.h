// Paillier keys for simulations: the fixed PUBLIC test keys checked into
// tests/data (fast, reproducible), or freshly generated ones.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "crypto/paillier.h"
#include "crypto/status.h"

namespace custos::sim {

using PaillierKeys = std::vector<std::shared_ptr<const PaillierSecretKey>>;

// Parses "p_hex q_hex" lines ('#' comments) into 2048-bit keys.
Result<PaillierKeys> load_paillier_keys(const std::string& path);
// The checked-in test keys (aborts with a message if the file is missing: a broken checkout).
const PaillierKeys& test_paillier_keys();
// Path of the checked-in test keys.
std::string test_paillier_keys_path();

}  // namespace custos::sim
