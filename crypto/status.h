// One error type for the whole code base: Status (ok or a coded error with a
// human-readable message) and Result<T> (a value or a Status). No exception
// crosses a module boundary; third-party exceptions are caught at the edge.
#pragma once

#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

namespace custos {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // a caller passed something unusable
  kMalformed,          // bytes from outside do not decode
  kOutOfRange,         // a decoded value is outside its allowed range
  kVerifyFailed,       // a proof, signature or commitment did not verify
  kFailedPrecondition, // the object is not in a state where this is allowed
  kAborted,            // a protocol aborted (see protocol::Abort for blame)
  kNotFound,
  kInternal,
};

const char* code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string to_string() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status with_context(const std::string& context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

inline Status ok_status() { return Status(); }
inline Status invalid_argument(std::string m) { return Status(Code::kInvalidArgument, std::move(m)); }
inline Status malformed(std::string m) { return Status(Code::kMalformed, std::move(m)); }
inline Status out_of_range(std::string m) { return Status(Code::kOutOfRange, std::move(m)); }
inline Status verify_failed(std::string m) { return Status(Code::kVerifyFailed, std::move(m)); }
inline Status failed_precondition(std::string m) { return Status(Code::kFailedPrecondition, std::move(m)); }
inline Status internal_error(std::string m) { return Status(Code::kInternal, std::move(m)); }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status(Code::kInternal, "Result built from an ok Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }  // ok status when a value is present
  T& value() & { check(); return *value_; }
  const T& value() const& { check(); return *value_; }
  T&& value() && { check(); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check() const {
    if (!ok()) std::abort();  // using the value of a failed Result is a programming error
  }
  std::optional<T> value_;
  Status status_;
};

namespace internal {
inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace custos

#define CUSTOS_CONCAT_INNER(a, b) a##b
#define CUSTOS_CONCAT(a, b) CUSTOS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                                              \
  do {                                                                     \
    auto&& custos_value_ = (expr);                                         \
    if (!::custos::internal::status_of(custos_value_).ok())                \
      return ::custos::internal::status_of(custos_value_);                 \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(CUSTOS_CONCAT(custos_result_, __LINE__), lhs, expr)
