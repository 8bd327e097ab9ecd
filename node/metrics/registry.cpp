#include "node/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace custos::node::metrics {
namespace {

bool is_alpha_(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// HELP text escaping (0.0.4): only backslash and newline; quotes stay as they are.
std::string escape_help(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"}` (plus an optional trailing extra label such as le), or "" when there are no labels.
std::string label_text(const std::vector<std::string>& names, const std::vector<std::string>& values,
                       std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;  // produced by format_value: never needs escaping
    out += '"';
  }
  out += '}';
  return out;
}

void render_header(const internal::FamilyBase& f, std::string& out) {
  out += "# HELP " + f.name() + " " + escape_help(f.help()) + "\n";
  out += "# TYPE " + f.name() + " " + type_name(f.type()) + "\n";
}

void render_series(const internal::FamilyBase& f, const std::vector<std::string>& values, const Counter& c,
                   std::string& out) {
  // Integers are printed from the uint64 directly: exact beyond 2^53.
  std::string v = c.real() == 0.0 ? std::to_string(c.whole()) : format_value(c.value());
  out += f.name() + label_text(f.label_names(), values) + " " + v + "\n";
}

void render_series(const internal::FamilyBase& f, const std::vector<std::string>& values, const Gauge& g,
                   std::string& out) {
  out += f.name() + label_text(f.label_names(), values) + " " + format_value(g.value()) + "\n";
}

void render_series(const internal::FamilyBase& f, const std::vector<std::string>& values, const Histogram& h,
                   std::string& out) {
  // Read each bucket once and accumulate, so buckets are cumulative and +Inf == _count by construction.
  uint64_t cumulative = 0;
  const auto& bounds = h.bounds();
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += h.bucket_count(i);
    std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
    out += f.name() + "_bucket" + label_text(f.label_names(), values, "le", le) + " " +
           std::to_string(cumulative) + "\n";
  }
  std::string labels = label_text(f.label_names(), values);
  out += f.name() + "_sum" + labels + " " + format_value(h.sum()) + "\n";
  out += f.name() + "_count" + labels + " " + std::to_string(cumulative) + "\n";
}

template <typename M>
std::unique_ptr<M> make_series(const internal::FamilyBase&) {
  return std::make_unique<M>();
}
template <>
std::unique_ptr<Histogram> make_series<Histogram>(const internal::FamilyBase& f) {
  return std::make_unique<Histogram>(f.bounds());
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || !(is_alpha_(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return is_alpha_(c) || is_digit(c) || c == ':'; });
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || !is_alpha_(name[0])) return false;
  if (name.starts_with("__")) return false;  // reserved for Prometheus' internal labels
  return std::all_of(name.begin(), name.end(), [](char c) { return is_alpha_(c) || is_digit(c); });
}

std::string escape_label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest text that parses back to the same double (Go's FormatFloat(v, 'g', -1)).
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  if (ec != std::errc()) return "NaN";  // 64 bytes always suffice for a double; unreachable
  return std::string(buf, end);
}

bool Counter::add(double v) {
  if (!(v >= 0.0) || std::isinf(v)) return false;  // !(v >= 0) also catches NaN
  real_.fetch_add(v, std::memory_order_relaxed);
  return true;
}

double Counter::value() const {
  double r = real();
  return r == 0.0 ? static_cast<double>(whole()) : static_cast<double>(whole()) + r;
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double v) {
  size_t i = bounds_.size();  // +Inf bucket, also where NaN goes
  if (!std::isnan(v)) {
    // First bound >= v: buckets are "less than or equal" (le).
    i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  }
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

template <typename M>
Result<M*> Family<M>::with(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names().size()) {
    return invalid_argument("metric " + name() + ": expected " + std::to_string(label_names().size()) +
                            " label values, got " + std::to_string(label_values.size()));
  }
  std::lock_guard lock(mu_);
  auto it = series_.find(label_values);
  if (it == series_.end()) it = series_.emplace(label_values, make_series<M>(*this)).first;
  return it->second.get();
}

template <typename M>
void Family<M>::render(std::string& out) const {
  std::lock_guard lock(mu_);
  if (series_.empty()) return;
  render_header(*this, out);
  for (const auto& [values, series] : series_) render_series(*this, values, *series, out);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <typename M>
Result<Family<M>*> Registry::register_family(MetricType type, std::string_view name, std::string_view help,
                                             std::vector<std::string> label_names, std::vector<double> bounds) {
  std::string n(name);
  if (!valid_metric_name(name)) return invalid_argument("invalid metric name \"" + n + "\"");
  std::set<std::string_view> seen;
  for (const auto& l : label_names) {
    if (!valid_label_name(l)) return invalid_argument("metric " + n + ": invalid label name \"" + l + "\"");
    if (type == MetricType::kHistogram && l == "le") {
      return invalid_argument("metric " + n + ": \"le\" is the histogram's bucket label");
    }
    if (!seen.insert(l).second) return invalid_argument("metric " + n + ": label \"" + l + "\" repeated");
  }
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) return invalid_argument("metric " + n + ": bucket bounds must be finite");
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      return invalid_argument("metric " + n + ": bucket bounds must be strictly increasing");
    }
  }

  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    const auto& f = *it->second;
    if (f.type() != type || f.help() != help || f.label_names() != label_names || f.bounds() != bounds) {
      return invalid_argument("metric " + n + " already registered with a different type, help, labels or buckets");
    }
    // Same type, so the dynamic type is Family<M>.
    return static_cast<Family<M>*>(it->second.get());
  }
  bool unlabelled = label_names.empty();
  auto family = std::make_unique<Family<M>>(type, n, std::string(help), std::move(label_names), std::move(bounds));
  Family<M>* raw = family.get();
  // An unlabelled metric exists (at zero) from registration on, so a scrape sees it before the first event.
  if (unlabelled && !raw->with({}).ok()) return internal_error("metric " + n + ": cannot create its series");
  families_.emplace(std::move(n), std::move(family));
  return raw;
}

Result<CounterFamily*> Registry::counter_family(std::string_view name, std::string_view help,
                                                std::vector<std::string> label_names) {
  return register_family<Counter>(MetricType::kCounter, name, help, std::move(label_names), {});
}

Result<GaugeFamily*> Registry::gauge_family(std::string_view name, std::string_view help,
                                            std::vector<std::string> label_names) {
  return register_family<Gauge>(MetricType::kGauge, name, help, std::move(label_names), {});
}

Result<HistogramFamily*> Registry::histogram_family(std::string_view name, std::string_view help,
                                                    std::vector<double> bounds, std::vector<std::string> label_names) {
  return register_family<Histogram>(MetricType::kHistogram, name, help, std::move(label_names), std::move(bounds));
}

// The shorthands: register unlabelled, then fetch the single series.
Result<Counter*> Registry::counter(std::string_view name, std::string_view help) {
  ASSIGN_OR_RETURN(auto* f, counter_family(name, help, {}));
  return f->with({});
}

Result<Gauge*> Registry::gauge(std::string_view name, std::string_view help) {
  ASSIGN_OR_RETURN(auto* f, gauge_family(name, help, {}));
  return f->with({});
}

Result<Histogram*> Registry::histogram(std::string_view name, std::string_view help, std::vector<double> bounds) {
  ASSIGN_OR_RETURN(auto* f, histogram_family(name, help, std::move(bounds), {}));
  return f->with({});
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) family->render(out);  // std::map: sorted by name
  return out;
}

}  // namespace custos::node::metrics
