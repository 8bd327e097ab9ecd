// custos init-network: sets up a complete local network on one machine (for
// testers and integrators, DESIGN "Who uses it"): for each node i in 1..N,
//   DIR/node-<i>/curve.key, ed25519.key   the node identity (32 raw bytes each, mode 0600)
//   DIR/node-<i>/kek.key                  the key-encryption key of its database (mode 0600)
//   DIR/node-<i>/data/                    its data directory
//   DIR/node-<i>/node.yaml                its config, listing every other node with pinned keys
//   DIR/approvers/<id>.json               with --approver: the approvers' credential records, which
//                                         every config names in approvers[].credential_file, with an
//                                         approval_policy of --quorum K of them
// ROUTER endpoints are tcp://127.0.0.1:<base-port + i>, API listeners 127.0.0.1:<base-port + 100 + i>.
// Every written config is loaded back with load_node_config before the command reports success.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/identity.h"
#include "config/loader.h"
#include "config/validate.h"
#include "config/writer.h"
#include "node/cli/approver_records.h"
#include "node/cli/commands.h"
#include "node/storage/kek.h"

namespace custos::cli {
namespace {

namespace fs = std::filesystem;

struct NodeFiles {
  uint32_t id = 0;
  fs::path dir;
  config::IdentityPublicKeys keys;
};

Status make_dir(const fs::path& p) {
  // 0700: the directory holds secret key files.
  if (::mkdir(p.c_str(), 0700) != 0) return invalid_argument("cannot create directory " + p.string() + ": " + std::strerror(errno));
  return ok_status();
}

// Writes a file that must not exist yet (mode 0644: a config holds no secrets).
Status write_new_file(const fs::path& p, const std::string& text) {
  const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return invalid_argument("cannot create " + p.string() + ": " + std::strerror(errno));
  size_t done = 0;
  Status st;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      st = internal_error("cannot write " + p.string() + ": " + std::strerror(errno));
      break;
    }
    done += static_cast<size_t>(w);
  }
  if (st.ok() && ::fsync(fd) != 0) st = internal_error("cannot fsync " + p.string() + ": " + std::strerror(errno));
  ::close(fd);
  return st;
}

// DIR must not exist, or be an empty directory: a second run must never replace a network's keys.
Status prepare_root(const fs::path& dir) {
  std::error_code ec;
  const auto st = fs::symlink_status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) return invalid_argument("cannot inspect " + dir.string() + ": " + ec.message());
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) return failed_precondition(dir.string() + " exists and is not a directory");
    if (!fs::is_empty(dir, ec) || ec)
      return failed_precondition(dir.string() + " is not empty; refusing to write a network over existing files");
    return ok_status();
  }
  if (dir.has_parent_path() && !dir.parent_path().empty()) {
    fs::create_directories(dir.parent_path(), ec);
    if (ec) return invalid_argument("cannot create " + dir.parent_path().string() + ": " + ec.message());
  }
  return make_dir(dir);
}

config::NodeConfig build_config(uint32_t self, uint32_t n, uint32_t t, uint32_t base_port, const std::string& rp_id,
                                const std::vector<std::string>& origins, const std::vector<NodeFiles>& nodes,
                                const std::vector<ApproverRecord>& approvers, uint32_t quorum) {
  config::NodeConfig c;
  c.node_id = self;
  c.name = "node-" + std::to_string(self);
  c.listen = "tcp://127.0.0.1:" + std::to_string(base_port + self);
  c.api.listen = "127.0.0.1:" + std::to_string(base_port + 100 + self);
  // Relative paths resolve against the config file's directory, so DIR can be moved as a whole.
  c.data_dir = "data";
  c.kek.kind = config::KekSourceKind::kKeyFile;
  c.kek.key_file = "kek.key";
  c.identity.curve_secret_key_file = "curve.key";
  c.identity.ed25519_secret_key_file = "ed25519.key";
  c.network.size = n;
  c.network.threshold = t;
  for (const auto& other : nodes) {
    if (other.id == self) continue;
    config::PeerConfig p;
    p.id = other.id;
    p.name = "node-" + std::to_string(other.id);
    p.endpoint = "tcp://127.0.0.1:" + std::to_string(base_port + other.id);
    p.curve_public_key = other.keys.curve_public_key;
    p.ed25519_public_key = other.keys.ed25519_public_key;
    c.peers.push_back(p);
  }
  c.webauthn.rp_id = rp_id;
  c.webauthn.origins = origins;
  c.webauthn.require_user_verification = true;
  // Without approvers the node approves nothing until they are enrolled (default deny).
  if (approvers.empty()) return c;
  config::ApprovalPolicy policy;
  policy.default_quorum.k = quorum;
  for (const auto& a : approvers) {
    config::ApproverConfig entry;
    entry.id = a.id;
    // Relative to the config's directory, so DIR can be moved as a whole.
    entry.credential_file = "../approvers/" + a.id + ".json";
    entry.credential = a.record;
    c.approvers.push_back(std::move(entry));
    policy.default_quorum.of.push_back(a.id);
  }
  c.approval_policy = std::move(policy);
  return c;
}

}  // namespace

int init_network_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app("Write identities, key-encryption keys and cross-wired configs for a local Custos network",
               "custos init-network");
  uint32_t nodes = 0, threshold = 0, base_port = 7100;
  std::string dir_arg, rp_id = "localhost";
  std::vector<std::string> origins = {"http://localhost:8080"};
  std::vector<std::string> approver_args;
  uint32_t quorum = 0;
  bool json_output = false;
  app.add_option("--nodes", nodes, "number of nodes n")->required()->check(CLI::Range(1u, config::kMaxNetworkSize));
  app.add_option("--threshold", threshold, "nodes needed to sign t (1 <= t <= n)")->required()->check(CLI::Range(1u, config::kMaxNetworkSize));
  app.add_option("--dir", dir_arg, "directory to create the network in (must not exist or be empty)")->required();
  app.add_option("--base-port", base_port, "node i listens on base-port+i, its API on base-port+100+i")
      ->capture_default_str()->check(CLI::Range(1u, 65000u));
  app.add_option("--rp-id", rp_id, "WebAuthn relying-party id")->capture_default_str();
  app.add_option("--origin", origins, "allowed WebAuthn origin (repeat for several)")->capture_default_str();
  app.add_option("--approver", approver_args,
                 "ID=RECORD_FILE: an approver and their passkey's credential record (custos approver create "
                 "--record-out); repeat for each. Their passkeys must use --rp-id and one of the --origin values");
  auto* quorum_opt = app.add_option("--quorum", quorum, "approvals needed per signature, K of the approvers (default: all)")
                         ->check(CLI::Range(1u, config::kMaxNetworkSize));
  app.add_flag("--json", json_output, "print the summary as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : 2;
  }
  if (threshold > nodes) {
    err << "custos init-network: --threshold " << threshold << " exceeds --nodes " << nodes << "\n";
    return 2;
  }
  if (base_port + 100 + nodes > 65535) {
    err << "custos init-network: --base-port " << base_port << " leaves no room for " << nodes << " API ports\n";
    return 2;
  }
  // Check the WebAuthn settings before creating anything, with the same rules the loader applies.
  if (auto problem = config::check_rp_id(rp_id)) {
    err << "custos init-network: --rp-id " << rp_id << ": " << *problem << "\n";
    return 2;
  }
  for (const auto& o : origins) {
    if (auto problem = config::check_origin(o, rp_id)) {
      err << "custos init-network: --origin " << o << ": " << *problem << "\n";
      return 2;
    }
  }

  // Every record is read and checked before anything is written.
  auto approvers = load_approver_records(approver_args, "custos init-network", err);
  if (!approvers) return 2;
  if (!quorum_opt->empty() && approvers->empty()) {
    err << "custos init-network: --quorum needs --approver\n";
    return 2;
  }
  if (quorum_opt->empty()) quorum = static_cast<uint32_t>(approvers->size());
  if (quorum > approvers->size()) {
    err << "custos init-network: --quorum " << quorum << " exceeds the " << approvers->size() << " approvers given\n";
    return 2;
  }

  const fs::path root(dir_arg);
  if (Status st = prepare_root(root); !st.ok()) {
    err << "custos init-network: " << st.message() << "\n";
    return 1;
  }
  auto fail = [&](const Status& st) {
    err << "custos init-network: " << st.message() << "\n"
        << "custos init-network: " << root.string() << " is partly written; remove it before running again\n";
    return 1;
  };

  std::vector<NodeFiles> files;
  for (uint32_t i = 1; i <= nodes; ++i) {
    NodeFiles f;
    f.id = i;
    f.dir = root / ("node-" + std::to_string(i));
    if (Status st = make_dir(f.dir); !st.ok()) return fail(st);
    if (Status st = make_dir(f.dir / "data"); !st.ok()) return fail(st);
    config::IdentityFiles id_files{(f.dir / "curve.key").string(), (f.dir / "ed25519.key").string()};
    auto keys = config::generate_node_identity(id_files);
    if (!keys.ok()) return fail(keys.status());
    f.keys = *keys;
    if (Status st = node::create_key_file((f.dir / "kek.key").string()); !st.ok()) return fail(st);
    files.push_back(f);
  }

  if (!approvers->empty()) {
    // Public records (0644 in a 0755 directory): the nodes only need to read them.
    const fs::path approver_dir = root / "approvers";
    if (::mkdir(approver_dir.c_str(), 0755) != 0)
      return fail(invalid_argument("cannot create directory " + approver_dir.string() + ": " + std::strerror(errno)));
    for (const auto& a : *approvers) {
      const std::string text = passkey::credential_record_to_json(a.record) + "\n";
      if (Status st = write_new_file(approver_dir / (a.id + ".json"), text); !st.ok()) return fail(st);
    }
  }

  std::vector<config::NodeConfig> loaded;
  for (const auto& f : files) {
    const auto cfg = build_config(f.id, nodes, threshold, base_port, rp_id, origins, files, *approvers, quorum);
    const fs::path path = f.dir / "node.yaml";
    if (Status st = write_new_file(path, config::render_node_config(cfg)); !st.ok()) return fail(st);
    // What we wrote must be what a node will accept.
    auto back = config::load_node_config(path.string());
    if (!back.ok()) return fail(internal_error("generated config does not load:\n" + back.status().message()));
    loaded.push_back(std::move(*back));
  }

  if (json_output) {
    nlohmann::json j;
    j["dir"] = fs::absolute(root).lexically_normal().string();
    j["size"] = nodes;
    j["threshold"] = threshold;
    j["rp_id"] = rp_id;
    j["origins"] = origins;
    j["approvers"] = nlohmann::json::array();
    for (const auto& a : *approvers)
      j["approvers"].push_back({{"id", a.id}, {"credential_file", fs::absolute(root / "approvers" / (a.id + ".json")).lexically_normal().string()}});
    j["quorum"] = quorum;
    j["nodes"] = nlohmann::json::array();
    for (size_t i = 0; i < files.size(); ++i) {
      j["nodes"].push_back({{"id", files[i].id},
                            {"name", loaded[i].name},
                            {"config", fs::absolute(files[i].dir / "node.yaml").lexically_normal().string()},
                            {"listen", loaded[i].listen},
                            {"api", loaded[i].api.listen},
                            {"curve_public_key", config::curve_key_to_z85(files[i].keys.curve_public_key)},
                            {"ed25519_public_key", config::hex32(files[i].keys.ed25519_public_key)}});
    }
    out << j.dump(2) << "\n";
  } else {
    out << "initialized a " << threshold << "-of-" << nodes << " Custos network in " << root.string() << "\n";
    for (size_t i = 0; i < files.size(); ++i) {
      out << "  node " << files[i].id << ": config " << (files[i].dir / "node.yaml").string() << "\n"
          << "    listen " << loaded[i].listen << ", api " << loaded[i].api.listen << "\n"
          << "    curve public key   " << config::curve_key_to_z85(files[i].keys.curve_public_key) << "\n"
          << "    ed25519 public key " << config::hex32(files[i].keys.ed25519_public_key) << "\n";
    }
    out << "secret keys (curve.key, ed25519.key, kek.key; mode 0600) stay in each node's directory.\n";
    if (approvers->empty()) {
      out << "no approvers are configured yet: the nodes will approve no signing intent until approvers and an\n"
             "approval_policy are added to every node.yaml.\n";
    } else {
      out << "approvers:";
      for (const auto& a : *approvers) out << " " << a.id;
      out << " (records in " << (root / "approvers").string() << "); every signature needs " << quorum << " of "
          << approvers->size() << " approvals.\n"
          << "their passkeys must be for relying party " << rp_id << " and one of the origins";
      for (const auto& o : origins) out << " " << o;
      out << ".\n";
    }
  }
  return 0;
}

}  // namespace custos::cli
