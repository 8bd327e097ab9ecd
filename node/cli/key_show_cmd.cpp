// custos key show: a key's public data from a node, with the addresses and the
// BIP-32 extended public key computed here from it (nothing secret is involved).
#include <CLI/CLI.hpp>

#include "crypto/bip32.h"
#include "node/api/addresses.h"
#include "node/cli/api_client.h"
#include "node/cli/commands.h"

namespace custos::cli {
namespace {

std::optional<std::vector<uint8_t>> from_hex(const std::string& h) {
  if (h.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < h.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nib(h[i]), lo = nib(h[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

int key_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Show a key's public data: public key, BIP-32 xpub, Bitcoin and Ethereum addresses.", "custos key");
  app.require_subcommand(1);
  CLI::App* show = app.add_subcommand("show", "show one key");
  std::string key_id, node = kDefaultNode;
  bool json_output = false, testnet = false;
  show->add_option("key_id", key_id, "the key id (64 hex digits)")->required();
  show->add_flag("--testnet", testnet, "Bitcoin testnet addresses");
  NodeAddress address;
  if (auto done = parse_client_command(app, node, json_output, argc, argv, out, err, address, show)) return *done;
  if (key_id.size() != 64 || !from_hex(key_id)) {
    err << "custos: key id must be 64 lower-case hex digits\n";
    return 2;
  }
  auto key = call_node(address, "/v1/keys/" + key_id, std::nullopt, 30, err);
  if (!key) return 1;
  // The node's answer is input like any other: decode and validate before use.
  auto pk_bytes = from_hex(key->value("public_key", ""));
  auto chain = from_hex(key->value("chain_code", ""));
  if (!pk_bytes || pk_bytes->size() != 33 || !chain || chain->size() != 32) {
    err << "custos: the node's answer has no valid public_key / chain_code\n";
    return 1;
  }
  auto pk = Point::decode(*pk_bytes);
  if (!pk.ok()) {
    err << "custos: the node's public key is not a valid secp256k1 point: " << pk.status().message() << "\n";
    return 1;
  }
  ExtendedPublicKey root;
  root.key = *pk;
  std::copy(chain->begin(), chain->end(), root.chain_code.begin());
  nlohmann::json shown = *key;
  shown["xpub"] = to_xpub(root);
  shown["bitcoin_p2wpkh"] = node::bitcoin_p2wpkh_address(*pk, !testnet);
  shown["bitcoin_p2pkh"] = node::bitcoin_p2pkh_address(*pk, !testnet);
  shown["ethereum"] = node::ethereum_address(*pk);
  if (json_output) {
    out << shown.dump() << "\n";
    return 0;
  }
  for (const char* field : {"key_id", "public_key", "xpub", "bitcoin_p2wpkh", "bitcoin_p2pkh", "ethereum"}) {
    std::string name = field;
    name.resize(16, ' ');
    out << name << shown[field].get<std::string>() << "\n";
  }
  out << "threshold       " << shown.value("threshold", 0) << " of " << shown["participants"].size() << " nodes\n";
  return 0;
}

}  // namespace custos::cli
