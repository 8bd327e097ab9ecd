// Helpers for the config tests: a valid base config with known line numbers,
// text substitution, problem lookup, and a temporary directory.
#pragma once

#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/loader.h"

namespace custos::config::testing {

// Two real peer keys (public halves only), generated with zmq_curve_keypair / OpenSSL.
inline constexpr const char* kCurve2 = "S<=$RQl0]1tVb?t>6J52mi+9m^F0}0WBX.}yH<g&";
inline constexpr const char* kEd2 = "ba99ce67d5cfa24a6007a44e28c61651806e2d7be68e74cf64663c71b123171a";
inline constexpr const char* kCurve3 = "2A9fOM8cpBBSJ>TIifKNY+6[>k97p0=[-/i1{I<H";
inline constexpr const char* kEd3 = "bd1eea87b5b7b4a143732dbb03664785fef4e89cfe6c8f723d1444952c20a99d";

// A valid P-256 COSE key (ES256) in base64url, for credential records.
inline constexpr const char* kCoseKeyA =
    "pQECAyYgASFYII94YL2ziwTdD57fmNdMq5qTMh1JSly1xnt06cyBl7lOIlggLsAu9J-4tgNGEZspI0Khsxeu_0Ed89-fesmoFUcLkV8";
inline constexpr const char* kCoseKeyB =
    "pQECAyYgASFYIIm3G-PD5TO8yL75CZos8nGl1clI4vaslrdImV-jJ0W0IlggJUtV6lmyN0xNKAHk1ZuqxFqMkwHF_0WXRpd0yaz-yh4";

// A valid config of node 1 of 3. The line numbers in the comments are the ones tests assert.
inline std::string base_config() {
  return std::string(
             "version: 1\n"                                    // 1
             "node:\n"                                         // 2
             "  id: 1\n"                                       // 3
             "  listen: \"tcp://127.0.0.1:7101\"\n"            // 4
             "  data_dir: data\n"                              // 5
             "  kek:\n"                                        // 6
             "    key_file: kek.key\n"                         // 7
             "  identity:\n"                                   // 8
             "    curve_secret_key_file: curve.key\n"          // 9
             "    ed25519_secret_key_file: ed25519.key\n"      // 10
             "network:\n"                                      // 11
             "  size: 3\n"                                     // 12
             "  threshold: 2\n"                                // 13
             "peers:\n"                                        // 14
             "  - id: 2\n"                                     // 15
             "    endpoint: \"tcp://127.0.0.1:7102\"\n"        // 16
             "    curve_public_key: \"") + kCurve2 + "\"\n" +  // 17
         "    ed25519_public_key: \"" + kEd2 + "\"\n" +        // 18
         "  - id: 3\n"                                         // 19
         "    endpoint: \"tcp://127.0.0.1:7103\"\n"            // 20
         "    curve_public_key: \"" + kCurve3 + "\"\n" +       // 21
         "    ed25519_public_key: \"" + kEd3 + "\"\n" +        // 22
         "webauthn:\n"                                         // 23
         "  rp_id: localhost\n"                                // 24
         "  origins: [\"http://localhost:8080\"]\n";           // 25
}

// `text` with the single occurrence of `from` replaced by `to`.
inline std::string with(const std::string& text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  std::string out = text;
  out.replace(at, from.size(), to);
  return out;
}

inline ParsedConfig parse(const std::string& text) { return parse_node_config(text, "test.yaml", "/srv/custos"); }

inline std::string dump(const std::vector<ConfigProblem>& problems) { return format_problems(problems); }

// Parses `text` and requires exactly one problem, at `line`, for `path`, whose message contains `needle`.
inline void require_single_problem(const std::string& text, int line, const std::string& path, const std::string& needle) {
  const auto parsed = parse(text);
  INFO(dump(parsed.problems));
  REQUIRE_FALSE(parsed.config.has_value());
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].line == line);
  CHECK(parsed.problems[0].path == path);
  CHECK(parsed.problems[0].message.find(needle) != std::string::npos);
  CHECK(parsed.problems[0].file == "test.yaml");
}

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/custos-config-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    REQUIRE(::mkdtemp(buf.data()) != nullptr);
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  REQUIRE(f.good());
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace custos::config::testing
