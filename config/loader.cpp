#include "config/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "config/validate.h"

namespace custos::config {

const PeerConfig* NodeConfig::find_peer(uint32_t id) const {
  for (const auto& p : peers)
    if (p.id == id) return &p;
  return nullptr;
}

const Quorum& ApprovalPolicy::quorum_for(const Key32& key_id) const {
  auto it = per_key.find(key_id);
  return it == per_key.end() ? default_quorum : it->second;
}

bool operator==(const ApproverConfig& a, const ApproverConfig& b) {
  return a.id == b.id && a.credential_file == b.credential_file &&
         passkey::credential_record_to_json(a.credential) == passkey::credential_record_to_json(b.credential);
}

std::string ConfigProblem::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + path + ": " + message;
}

std::string format_problems(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (!out.empty()) out += '\n';
    out += p.to_string();
  }
  return out;
}

namespace {

// Positions are kept as yaml-cpp gives them (0-based) until a problem is recorded.
struct Pos {
  int line = 0;
  int column = 0;
};

Pos pos_of(const YAML::Mark& m) {
  // yaml-cpp uses -1 for nodes it built itself (no position); those never reach here from a
  // parsed document, but clamp so a problem never has line 0.
  return Pos{std::max(m.line, 0), std::max(m.column, 0)};
}

class Ctx {
 public:
  Ctx(std::string file, std::string base_dir) : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  void add(Pos pos, const std::string& path, std::string message) {
    problems_.push_back(ConfigProblem{file_, pos.line + 1, pos.column + 1, path.empty() ? "(document)" : path,
                                      std::move(message)});
  }
  const std::string& base_dir() const { return base_dir_; }
  std::vector<ConfigProblem> take_problems() {
    // Problems are found section by section (cross-checks come last); present them in file order.
    std::stable_sort(problems_.begin(), problems_.end(), [](const ConfigProblem& a, const ConfigProblem& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return std::move(problems_);
  }
  size_t count() const { return problems_.size(); }

  std::string resolve(const std::string& p) const {
    std::filesystem::path path(p);
    if (path.is_absolute()) return path.lexically_normal().string();
    return (std::filesystem::path(base_dir_) / path).lexically_normal().string();
  }

 private:
  std::string file_;
  std::string base_dir_;
  std::vector<ConfigProblem> problems_;
};

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null: return "nothing (null)";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    default: return "an undefined value";
  }
}

std::string join(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}
std::string index(const std::string& parent, size_t i) { return parent + "[" + std::to_string(i) + "]"; }

// One value in the document: the node, where to report problems about it, and its path.
struct Field {
  YAML::Node node;
  Pos pos;   // the value's position, or the key's when the value is empty (yaml-cpp then points
             // at whatever follows, often the next line)
  Pos key_pos;
  std::string path;
};

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// A mapping in the document. Every key must be asked for (get) or it is reported as unknown by
// finish(); duplicate keys are reported (yaml-cpp keeps both and a lookup would silently pick one).
class MapView {
 public:
  // `anchor` is where "missing key" problems point: the key that holds this map, or the list item.
  MapView(Ctx& ctx, const Field& field) : ctx_(ctx), path_(field.path), anchor_(field.key_pos) {
    if (!field.node.IsMap()) {
      ctx_.add(field.pos, path_, std::string("expected a map, got ") + type_name(field.node));
      return;
    }
    ok_ = true;
    for (auto it = field.node.begin(); it != field.node.end(); ++it) {
      // Copies: the iterator yields a temporary pair of node handles.
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      if (!k.IsScalar()) {
        ctx_.add(pos_of(k.Mark()), path_, "a key must be a plain string");
        continue;
      }
      const std::string name = k.Scalar();
      Field f{v, v.IsNull() ? pos_of(k.Mark()) : pos_of(v.Mark()), pos_of(k.Mark()), join(path_, name)};
      auto [at, inserted] = entries_.emplace(name, f);
      if (!inserted)
        ctx_.add(f.key_pos, f.path, "duplicate key (first given on line " + std::to_string(at->second.key_pos.line + 1) + ")");
    }
  }

  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }
  Pos anchor() const { return anchor_; }

  std::optional<Field> get(const std::string& name, bool required) {
    known_.push_back(name);
    if (!ok_) return std::nullopt;
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      if (required) ctx_.add(anchor_, join(path_, name), "required key is missing");
      return std::nullopt;
    }
    return it->second;
  }
  bool has(const std::string& name) const { return entries_.count(name) != 0; }

  // A key that must never appear, with the reason (e.g. a secret written into the file).
  void forbid(const std::string& name, const std::string& why) { forbidden_[name] = why; }

  // Reports every key that was neither asked for nor forbidden.
  void finish() {
    if (!ok_) return;
    for (const auto& [name, f] : entries_) {
      if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
      auto fb = forbidden_.find(name);
      if (fb != forbidden_.end()) {
        ctx_.add(f.key_pos, f.path, fb->second);
        continue;
      }
      std::string message = "unknown key";
      std::string best;
      size_t best_d = 3;  // suggest only close matches: a typo, not a different option
      for (const auto& k : known_) {
        const size_t d = edit_distance(name, k);
        if (d < best_d) best_d = d, best = k;
      }
      if (!best.empty()) message += " (did you mean '" + best + "'?)";
      else message += " (allowed here: " + allowed_list() + ")";
      ctx_.add(f.key_pos, f.path, message);
    }
  }

 private:
  std::string allowed_list() const {
    std::string s;
    for (const auto& k : known_) s += (s.empty() ? "" : ", ") + k;
    return s;
  }

  Ctx& ctx_;
  std::string path_;
  Pos anchor_;
  bool ok_ = false;
  std::map<std::string, Field> entries_;
  std::vector<std::string> known_;
  std::map<std::string, std::string> forbidden_;
};

// --- scalar readers: each reports its own problem and returns nullopt on failure ----------------

bool is_plain(const YAML::Node& n) { return n.Tag() == "?"; }

std::optional<std::string> read_string(Ctx& ctx, const Field& f) {
  if (!f.node.IsScalar()) {
    ctx.add(f.pos, f.path, std::string("expected a string, got ") + type_name(f.node));
    return std::nullopt;
  }
  return f.node.Scalar();
}

// A string that must not be empty.
std::optional<std::string> read_nonempty(Ctx& ctx, const Field& f) {
  auto s = read_string(ctx, f);
  if (s && s->empty()) {
    ctx.add(f.pos, f.path, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<uint64_t> read_uint(Ctx& ctx, const Field& f, uint64_t lo, uint64_t hi) {
  const std::string range = "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!f.node.IsScalar()) {
    ctx.add(f.pos, f.path, std::string("expected an integer, got ") + type_name(f.node));
    return std::nullopt;
  }
  const std::string& s = f.node.Scalar();
  if (!is_plain(f.node)) {
    ctx.add(f.pos, f.path, "expected an integer, got a quoted string");
    return std::nullopt;
  }
  const bool digits = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    const bool negative = s.size() > 1 && s[0] == '-' &&
                          std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
    ctx.add(f.pos, f.path, negative ? range : "expected an integer, got '" + s + "'");
    return std::nullopt;
  }
  if (s.size() > 12) {
    ctx.add(f.pos, f.path, range);
    return std::nullopt;
  }
  const uint64_t v = std::stoull(s);
  if (v < lo || v > hi) {
    ctx.add(f.pos, f.path, range + " (got " + s + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> read_bool(Ctx& ctx, const Field& f) {
  if (!f.node.IsScalar() || !is_plain(f.node) || (f.node.Scalar() != "true" && f.node.Scalar() != "false")) {
    ctx.add(f.pos, f.path,
            f.node.IsScalar() ? "expected true or false" : std::string("expected true or false, got ") + type_name(f.node));
    return std::nullopt;
  }
  return f.node.Scalar() == "true";
}

// A list; `items` gets one Field per element.
bool read_list(Ctx& ctx, const Field& f, std::vector<Field>* items) {
  if (!f.node.IsSequence()) {
    ctx.add(f.pos, f.path, std::string("expected a list, got ") + type_name(f.node));
    return false;
  }
  size_t i = 0;
  for (auto it = f.node.begin(); it != f.node.end(); ++it, ++i) {
    const YAML::Node n = *it;
    const Pos p = n.IsNull() ? f.pos : pos_of(n.Mark());
    items->push_back(Field{n, p, p, index(f.path, i)});
  }
  return true;
}

// Applies a validator returning std::optional<problem>.
bool check(Ctx& ctx, const Field& f, const std::optional<std::string>& problem) {
  if (problem) ctx.add(f.pos, f.path, *problem);
  return !problem;
}

template <typename T>
std::optional<T> checked(Ctx& ctx, const Field& f, Checked<T> v) {
  if (auto* problem = std::get_if<std::string>(&v)) {
    ctx.add(f.pos, f.path, *problem);
    return std::nullopt;
  }
  return std::get<T>(std::move(v));
}

// --- sections -------------------------------------------------------------------------------

// "invalid credential record: <reason>" from a passkey rejection (whose text may already name the record).
std::string credential_problem(const std::string& rejection) {
  constexpr std::string_view kPrefix = "credential record: ";
  std::string_view reason = rejection;
  if (reason.substr(0, kPrefix.size()) == kPrefix) reason.remove_prefix(kPrefix.size());
  return "invalid credential record: " + std::string(reason);
}

constexpr const char* kSecretInFile =
    "secret keys are never written in the config; keep the key in a file of mode 0600 and name that file "
    "with curve_secret_key_file / ed25519_secret_key_file";

struct Loader {
  explicit Loader(Ctx& c) : ctx(c) {}
  Ctx& ctx;
  NodeConfig cfg;
  // Which parts parsed cleanly; cross-checks run only on those, so one mistake is reported once.
  bool have_node_id = false, have_size = false;
  Field node_id_field{};
  Field peers_field{};
  bool have_peers_field = false;
  bool approvers_ok = true;
  std::set<std::string> approver_ids;

  void node_section(const Field& f) {
    MapView m(ctx, f);
    if (auto v = m.get("id", true)) {
      node_id_field = *v;
      if (auto id = read_uint(ctx, *v, 1, kMaxNetworkSize)) cfg.node_id = static_cast<uint32_t>(*id), have_node_id = true;
    }
    if (auto v = m.get("name", false)) {
      if (auto s = read_string(ctx, *v); s && check(ctx, *v, check_display_name(*s))) cfg.name = *s;
    }
    if (cfg.name.empty() && have_node_id) cfg.name = "node-" + std::to_string(cfg.node_id);
    if (auto v = m.get("listen", true))
      if (auto s = read_string(ctx, *v); s && check(ctx, *v, check_zmq_endpoint(*s, true))) cfg.listen = *s;
    if (auto v = m.get("api", false)) api_section(*v);
    if (auto v = m.get("data_dir", true))
      if (auto s = read_nonempty(ctx, *v)) cfg.data_dir = ctx.resolve(*s);
    if (auto v = m.get("kek", true)) kek_section(*v);
    if (auto v = m.get("identity", true)) identity_section(*v);
    for (const char* k : {"curve_secret_key", "ed25519_secret_key", "secret_key"}) m.forbid(k, kSecretInFile);
    m.finish();
  }

  void api_section(const Field& f) {
    MapView m(ctx, f);
    bool listen_ok = true;
    Field listen_field = f;
    if (auto v = m.get("listen", false)) {
      listen_field = *v;
      auto s = read_string(ctx, *v);
      listen_ok = s.has_value();
      if (s) {
        bool loopback = false;
        listen_ok = check(ctx, *v, check_host_port(*s, &loopback));
        if (listen_ok) cfg.api.listen = *s;
      }
    }
    auto cert = m.get("tls_cert_file", false);
    auto key = m.get("tls_key_file", false);
    if (cert)
      if (auto s = read_nonempty(ctx, *cert)) cfg.api.tls_cert_file = ctx.resolve(*s);
    if (key)
      if (auto s = read_nonempty(ctx, *key)) cfg.api.tls_key_file = ctx.resolve(*s);
    if (cert.has_value() != key.has_value())
      ctx.add(m.anchor(), m.path(), "tls_cert_file and tls_key_file must be given together");
    m.finish();
    if (!m.ok() || !listen_ok) return;
    bool loopback = false;
    (void)check_host_port(cfg.api.listen, &loopback);
    // Approvals and intents cross this API; off the machine it must be encrypted.
    if (!loopback && !cert && !key)
      ctx.add(listen_field.pos, join(m.path(), "listen"),
              "a non-loopback address needs TLS (set tls_cert_file and tls_key_file)");
  }

  void kek_section(const Field& f) {
    MapView m(ctx, f);
    m.forbid("passphrase",
             "a passphrase must never be written in the config; put it in an environment variable and name "
             "that variable with passphrase_env");
    m.forbid("key", "the key-encryption key is never written in the config; name its file with key_file");
    auto file = m.get("key_file", false);
    auto env = m.get("passphrase_env", false);
    if (m.ok() && file && env)
      ctx.add(m.anchor(), m.path(), "give either key_file or passphrase_env, not both");
    else if (m.ok() && !file && !env && !m.has("passphrase"))
      ctx.add(m.anchor(), m.path(), "needs key_file or passphrase_env");
    if (file) {
      if (auto s = read_nonempty(ctx, *file)) cfg.kek.kind = KekSourceKind::kKeyFile, cfg.kek.key_file = ctx.resolve(*s);
    } else if (env) {
      if (auto s = read_string(ctx, *env); s && check(ctx, *env, check_env_var_name(*s)))
        cfg.kek.kind = KekSourceKind::kPassphraseEnv, cfg.kek.passphrase_env = *s;
    }
    m.finish();
  }

  void identity_section(const Field& f) {
    MapView m(ctx, f);
    for (const char* k : {"curve_secret_key", "ed25519_secret_key", "secret_key"}) m.forbid(k, kSecretInFile);
    m.forbid("curve_public_key", "this node's public keys are derived from its secret key files; only peers list theirs");
    m.forbid("ed25519_public_key", "this node's public keys are derived from its secret key files; only peers list theirs");
    if (auto v = m.get("curve_secret_key_file", true))
      if (auto s = read_nonempty(ctx, *v)) cfg.identity.curve_secret_key_file = ctx.resolve(*s);
    if (auto v = m.get("ed25519_secret_key_file", true)) {
      if (auto s = read_nonempty(ctx, *v)) {
        cfg.identity.ed25519_secret_key_file = ctx.resolve(*s);
        if (cfg.identity.ed25519_secret_key_file == cfg.identity.curve_secret_key_file)
          ctx.add(v->pos, v->path, "must be a different file from curve_secret_key_file");
      }
    }
    m.finish();
  }

  void network_section(const Field& f) {
    MapView m(ctx, f);
    if (auto v = m.get("size", true))
      if (auto n = read_uint(ctx, *v, 1, kMaxNetworkSize)) cfg.network.size = static_cast<uint32_t>(*n), have_size = true;
    if (auto v = m.get("threshold", true)) {
      if (auto t = read_uint(ctx, *v, 0, kMaxNetworkSize)) {
        if (*t == 0)
          ctx.add(v->pos, v->path, "must be at least 1 (1 <= threshold <= size)");
        else if (have_size && *t > cfg.network.size)
          ctx.add(v->pos, v->path, "is " + std::to_string(*t) + ", more than network.size (" +
                                       std::to_string(cfg.network.size) + ")");
        else
          cfg.network.threshold = static_cast<uint32_t>(*t);
      }
    }
    m.finish();
  }

  void peers_section(const Field& f) {
    std::vector<Field> items;
    if (!read_list(ctx, f, &items)) return;
    peers_field = f;
    have_peers_field = true;
    std::map<uint32_t, std::string> id_at;  // id -> path of the first peer with it
    std::map<std::string, std::string> endpoint_at;
    std::map<Key32, std::string> curve_at, ed_at;
    for (const Field& item : items) {
      MapView m(ctx, item);
      PeerConfig peer;
      bool ok = m.ok();
      if (auto v = m.get("id", true)) {
        if (auto id = read_uint(ctx, *v, 1, kMaxNetworkSize)) {
          peer.id = static_cast<uint32_t>(*id);
          if (have_node_id && peer.id == cfg.node_id) {
            ctx.add(v->pos, v->path, "is this node's own id (node.id); a node does not list itself as a peer");
            ok = false;
          } else if (have_size && peer.id > cfg.network.size) {
            ctx.add(v->pos, v->path, "is outside 1.." + std::to_string(cfg.network.size) + " (network.size)");
            ok = false;
          } else if (auto [at, inserted] = id_at.emplace(peer.id, item.path); !inserted) {
            ctx.add(v->pos, v->path, "duplicate peer id " + std::to_string(peer.id) + " (also " + at->second + ")");
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (auto v = m.get("name", false)) {
        if (auto s = read_string(ctx, *v); s && check(ctx, *v, check_display_name(*s))) peer.name = *s;
        else ok = false;
      }
      if (peer.name.empty() && peer.id != 0) peer.name = "node-" + std::to_string(peer.id);
      if (auto v = m.get("endpoint", true)) {
        auto s = read_string(ctx, *v);
        if (s && check(ctx, *v, check_zmq_endpoint(*s, false))) {
          peer.endpoint = *s;
          if (auto [at, inserted] = endpoint_at.emplace(*s, item.path); !inserted) {
            ctx.add(v->pos, v->path, "same endpoint as " + at->second);
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (auto v = m.get("curve_public_key", true)) {
        auto s = read_string(ctx, *v);
        auto key = s ? checked(ctx, *v, parse_curve_public_key(*s)) : std::nullopt;
        if (key) {
          peer.curve_public_key = *key;
          // The ZAP handler maps a CURVE key to one party; two peers with one key would be ambiguous.
          if (auto [at, inserted] = curve_at.emplace(*key, item.path); !inserted) {
            ctx.add(v->pos, v->path, "same CURVE key as " + at->second);
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (auto v = m.get("ed25519_public_key", true)) {
        auto s = read_string(ctx, *v);
        auto key = s ? checked(ctx, *v, parse_ed25519_public_key(*s)) : std::nullopt;
        if (key) {
          peer.ed25519_public_key = *key;
          if (auto [at, inserted] = ed_at.emplace(*key, item.path); !inserted) {
            ctx.add(v->pos, v->path, "same Ed25519 key as " + at->second);
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      m.finish();
      if (ok) cfg.peers.push_back(std::move(peer));
    }
    // Every id 1..n other than our own must appear exactly once.
    if (have_node_id && have_size && cfg.node_id <= cfg.network.size) {
      for (uint32_t id = 1; id <= cfg.network.size; ++id)
        if (id != cfg.node_id && !id_at.count(id))
          ctx.add(f.key_pos, f.path,
                  "no peer with id " + std::to_string(id) + " (ids 1.." + std::to_string(cfg.network.size) +
                      " other than this node's must each appear once)");
    }
  }

  void webauthn_section(const Field& f) {
    MapView m(ctx, f);
    bool rp_ok = false;
    if (auto v = m.get("rp_id", true))
      if (auto s = read_string(ctx, *v); s && check(ctx, *v, check_rp_id(*s))) cfg.webauthn.rp_id = *s, rp_ok = true;
    if (auto v = m.get("origins", true)) {
      std::vector<Field> items;
      if (read_list(ctx, *v, &items)) {
        if (items.empty()) ctx.add(v->pos, v->path, "must list at least one origin");
        std::set<std::string> seen;
        for (const Field& item : items) {
          auto s = read_string(ctx, item);
          if (!s) continue;
          // Without a valid rp_id the subdomain rule cannot be checked; rp_id's own problem is reported.
          if (!check(ctx, item, check_origin(*s, rp_ok ? cfg.webauthn.rp_id : ""))) continue;
          if (!seen.insert(*s).second) {
            ctx.add(item.pos, item.path, "duplicate origin");
            continue;
          }
          cfg.webauthn.origins.push_back(*s);
        }
      }
    }
    if (auto v = m.get("require_user_verification", false))
      if (auto b = read_bool(ctx, *v)) cfg.webauthn.require_user_verification = *b;
    m.finish();
  }

  // Turns an inline credential map into the credential-record JSON and parses it with the same
  // parser the node uses for stored records.
  std::optional<passkey::CredentialRecord> inline_credential(const Field& f) {
    MapView m(ctx, f);
    nlohmann::json j = nlohmann::json::object();
    const size_t before = ctx.count();
    for (const char* name : {"id", "publicKey", "userHandle", "aaguid", "attestationFormat"})
      if (auto v = m.get(name, std::string(name) == "id" || std::string(name) == "publicKey"))
        if (auto s = read_string(ctx, *v)) j[name] = *s;
    if (auto v = m.get("signCount", true))
      if (auto n = read_uint(ctx, *v, 0, UINT32_MAX)) j["signCount"] = *n;
    for (const char* name : {"backupEligible", "backupState", "uvInitialized"})
      if (auto v = m.get(name, std::string(name) == "backupEligible"))
        if (auto b = read_bool(ctx, *v)) j[name] = *b;
    if (auto v = m.get("transports", false)) {
      std::vector<Field> items;
      if (read_list(ctx, *v, &items)) {
        nlohmann::json arr = nlohmann::json::array();
        for (const Field& item : items)
          if (auto s = read_string(ctx, item)) arr.push_back(*s);
        j["transports"] = arr;
      }
    }
    m.finish();
    if (!m.ok() || ctx.count() != before) return std::nullopt;
    auto rec = passkey::parse_credential_record(j.dump());
    if (!rec.ok()) {
      ctx.add(f.pos, f.path, credential_problem(rec.rejection().message));
      return std::nullopt;
    }
    return std::move(rec).value();
  }

  std::optional<passkey::CredentialRecord> credential_from_file(const Field& f, const std::string& path) {
    std::string text;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ctx.add(f.pos, f.path, "cannot open " + path + ": " + std::strerror(errno));
      return std::nullopt;
    }
    char buf[4096];
    while (true) {
      const ssize_t r = ::read(fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        ctx.add(f.pos, f.path, "cannot read " + path + ": " + std::strerror(errno));
        ::close(fd);
        return std::nullopt;
      }
      if (r == 0) break;
      text.append(buf, static_cast<size_t>(r));
      if (text.size() > passkey::kMaxCredentialRecordBytes) break;  // the parser names the limit
    }
    ::close(fd);
    auto rec = passkey::parse_credential_record(text);
    if (!rec.ok()) {
      ctx.add(f.pos, f.path, path + ": " + credential_problem(rec.rejection().message));
      return std::nullopt;
    }
    return std::move(rec).value();
  }

  void approvers_section(const Field& f) {
    std::vector<Field> items;
    if (!read_list(ctx, f, &items)) {
      approvers_ok = false;
      return;
    }
    std::map<std::string, std::string> id_at;
    std::map<std::vector<uint8_t>, std::string> credential_at;
    for (const Field& item : items) {
      MapView m(ctx, item);
      ApproverConfig a;
      bool ok = m.ok();
      if (auto v = m.get("id", true)) {
        auto s = read_string(ctx, *v);
        if (s && check(ctx, *v, check_approver_id(*s))) {
          a.id = *s;
          // Known even when its credential is broken, so quorums naming it do not add noise.
          approver_ids.insert(*s);
          if (auto [at, inserted] = id_at.emplace(*s, item.path); !inserted) {
            ctx.add(v->pos, v->path, "duplicate approver id '" + *s + "' (also " + at->second + ")");
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      auto inline_f = m.get("credential", false);
      auto file_f = m.get("credential_file", false);
      std::optional<passkey::CredentialRecord> rec;
      if (m.ok() && inline_f && file_f) {
        ctx.add(item.pos, item.path, "give either credential or credential_file, not both");
        ok = false;
      } else if (m.ok() && !inline_f && !file_f) {
        ctx.add(item.pos, join(item.path, "credential"), "required key is missing (or give credential_file)");
        ok = false;
      } else if (inline_f) {
        rec = inline_credential(*inline_f);
      } else if (file_f) {
        if (auto s = read_nonempty(ctx, *file_f)) {
          a.credential_file = ctx.resolve(*s);
          rec = credential_from_file(*file_f, a.credential_file);
        }
      }
      m.finish();
      if (!rec) {
        ok = false;
      } else {
        // One passkey counted for two approvers would let one person satisfy a 2-of-m quorum.
        const Field& where = inline_f ? *inline_f : *file_f;
        if (auto [at, inserted] = credential_at.emplace(rec->id, item.path); !inserted) {
          ctx.add(where.pos, where.path, "same credential id as " + at->second + "; each approver needs their own passkey");
          ok = false;
        }
        a.credential = std::move(*rec);
      }
      if (ok) cfg.approvers.push_back(std::move(a));
      else approvers_ok = false;
    }
  }

  std::optional<Quorum> quorum(const Field& f) {
    MapView m(ctx, f);
    Quorum q;
    bool ok = m.ok();
    uint64_t k = 0;  // 0: missing or invalid (already reported)
    Field k_field{};
    if (auto v = m.get("k", true)) {
      k_field = *v;
      if (auto n = read_uint(ctx, *v, 0, kMaxNetworkSize)) {
        if (*n == 0) ctx.add(v->pos, v->path, "must be at least 1 (an approval quorum of 0 would approve anything)");
        k = *n;
      }
    }
    if (k == 0) ok = false;
    bool of_ok = false;
    if (auto v = m.get("of", true)) {
      std::vector<Field> items;
      if (read_list(ctx, *v, &items)) {
        of_ok = true;
        std::set<std::string> seen;
        for (const Field& item : items) {
          auto s = read_string(ctx, item);
          if (!s) {
            of_ok = false;
            continue;
          }
          if (!approver_ids.count(*s)) {
            ctx.add(item.pos, item.path, "unknown approver '" + *s + "' (not in approvers)");
            of_ok = false;
          } else if (!seen.insert(*s).second) {
            ctx.add(item.pos, item.path, "approver '" + *s + "' is listed twice");
            of_ok = false;
          }
          q.of.push_back(*s);
        }
        if (k > items.size()) {
          ctx.add(k_field.pos, k_field.path,
                  "k = " + std::to_string(k) + " exceeds the " + std::to_string(items.size()) + " approvers listed in of");
          ok = false;
        }
      }
    }
    m.finish();
    if (!ok || !of_ok || !m.ok()) return std::nullopt;
    q.k = static_cast<uint32_t>(k);
    return q;
  }

  void approval_policy_section(const Field& f) {
    MapView m(ctx, f);
    ApprovalPolicy policy;
    bool ok = m.ok();
    if (auto v = m.get("default", true)) {
      if (auto q = quorum(*v)) policy.default_quorum = *q;
      else ok = false;
    } else {
      ok = false;
    }
    if (auto v = m.get("keys", false)) {
      MapView keys(ctx, *v);
      if (!keys.ok()) ok = false;
      if (keys.ok()) {
        std::set<std::string> done;
        for (auto it = v->node.begin(); it != v->node.end(); ++it) {
          const YAML::Node key_node = it->first;
          if (!key_node.IsScalar()) continue;  // reported by MapView
          const std::string name = key_node.Scalar();
          if (!done.insert(name).second) continue;  // a duplicate key, reported by MapView
          auto entry = keys.get(name, true);
          if (!entry) continue;
          const Field key_field{key_node, entry->key_pos, entry->key_pos, entry->path};
          auto key_id = checked(ctx, key_field, parse_hex32(name));
          auto q = quorum(*entry);
          if (key_id && q) {
            if (!policy.per_key.emplace(*key_id, *q).second) {
              ctx.add(entry->key_pos, entry->path, "the same key id is given twice (in different letter case)");
              ok = false;
            }
          } else {
            ok = false;
          }
        }
      }
      keys.finish();
    }
    m.finish();
    if (ok) cfg.approval_policy = std::move(policy);
  }

  void timeouts_section(const Field& f) {
    MapView m(ctx, f);
    if (auto v = m.get("session_deadline_seconds", false))
      if (auto n = read_uint(ctx, *v, kMinSessionDeadlineSeconds, kMaxSessionDeadlineSeconds))
        cfg.timeouts.session_deadline_seconds = static_cast<uint32_t>(*n);
    if (auto v = m.get("presign_pool_depth", false))
      if (auto n = read_uint(ctx, *v, 0, kMaxPresignPoolDepth)) cfg.timeouts.presign_pool_depth = static_cast<uint32_t>(*n);
    if (auto v = m.get("sign_deadline_seconds", false))
      if (auto n = read_uint(ctx, *v, kMinSignDeadlineSeconds, kMaxSignDeadlineSeconds))
        cfg.timeouts.sign_deadline_seconds = static_cast<uint32_t>(*n);
    m.finish();
  }

  void root(const YAML::Node& doc) {
    MapView m(ctx, Field{doc, Pos{}, Pos{}, ""});
    if (!m.ok()) return;
    if (auto v = m.get("version", true))
      if (auto n = read_uint(ctx, *v, 0, UINT32_MAX); n && *n != kSchemaVersion)
        ctx.add(v->pos, v->path,
                "unsupported schema version " + std::to_string(*n) + " (this custos reads version " +
                    std::to_string(kSchemaVersion) + ")");
    // Order matters: node and network first, since peers are checked against node.id and network.size.
    auto node = m.get("node", true);
    if (node) node_section(*node);
    if (auto v = m.get("network", true)) network_section(*v);
    if (have_node_id && have_size && cfg.node_id > cfg.network.size)
      ctx.add(node_id_field.pos, node_id_field.path, "is outside 1.." + std::to_string(cfg.network.size) + " (network.size)");
    if (auto v = m.get("peers", true)) peers_section(*v);
    if (auto v = m.get("webauthn", true)) webauthn_section(*v);
    if (auto v = m.get("approvers", false)) approvers_section(*v);
    if (auto v = m.get("approval_policy", false)) approval_policy_section(*v);
    if (auto v = m.get("timeouts", false)) timeouts_section(*v);
    m.finish();
  }
};

}  // namespace

ParsedConfig parse_node_config(std::string_view yaml_text, const std::string& file_name, const std::string& base_dir) {
  Ctx ctx(file_name, base_dir);
  ParsedConfig out;
  Loader loader(ctx);
  // yaml-cpp reports malformed input by throwing; this is the boundary where that stops.
  try {
    if (yaml_text.size() > kMaxConfigBytes) {
      ctx.add(Pos{}, "", "larger than " + std::to_string(kMaxConfigBytes) + " bytes; is this the config file?");
    } else {
      std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml_text));
      if (docs.empty()) {
        ctx.add(Pos{}, "", "the file is empty; expected a map with version, node, network, peers, webauthn");
      } else {
        if (docs.size() > 1) ctx.add(pos_of(docs[1].Mark()), "", "only one YAML document is allowed (found a second '---')");
        loader.root(docs[0]);
      }
    }
  } catch (const YAML::Exception& e) {
    ctx.add(pos_of(e.mark), "", "malformed YAML: " + e.msg);
  } catch (const std::exception& e) {
    ctx.add(Pos{}, "", std::string("cannot parse: ") + e.what());
  } catch (...) {
    ctx.add(Pos{}, "", "cannot parse (unknown error)");
  }
  out.problems = ctx.take_problems();
  if (out.problems.empty()) out.config = std::move(loader.cfg);
  return out;
}

Result<NodeConfig> load_node_config(const std::string& path) {
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  if (ec) return Status(Code::kNotFound, "cannot resolve config path " + path + ": " + ec.message());
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(Code::kNotFound, "cannot open config " + path + ": " + std::strerror(errno));
  std::string text;
  char buf[8192];
  while (true) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int err = errno;
      ::close(fd);
      return Status(Code::kNotFound, "cannot read config " + path + ": " + std::strerror(err));
    }
    if (r == 0) break;
    text.append(buf, static_cast<size_t>(r));
    if (text.size() > kMaxConfigBytes) break;  // parse_node_config reports the size
  }
  ::close(fd);
  ParsedConfig parsed = parse_node_config(text, path, abs.parent_path().string());
  if (!parsed.config) return invalid_argument(format_problems(parsed.problems));
  return std::move(*parsed.config);
}

}  // namespace custos::config
