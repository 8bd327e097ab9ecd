// A small thread-safe Prometheus registry (issue 4, the node's /metrics):
// counters, gauges and fixed-bucket histograms, optionally labelled, rendered
// in the text exposition format 0.0.4.
//
// Ownership and threads. The Registry owns every family and every series; the
// pointers it hands out stay valid for the registry's lifetime (it is neither
// copyable nor movable, so they cannot dangle through a move). Updating a
// series (Counter::inc, Gauge::set, Histogram::observe, ...) is lock-free
// atomics, so hot paths should look a series up once and keep the pointer.
// Looking up / creating a series takes its family's mutex; registering a family
// and render() take the registry's mutex (always before a family's, never the
// other way round).
//
// Names. Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*. Label names match the
// exposition format's stricter [a-zA-Z_][a-zA-Z0-9_]* (':' is not allowed in
// label names), may not start with "__" (reserved by Prometheus), may not repeat
// within a family, and a histogram may not use "le" (its bucket label).
// Registering a name again returns the existing family when type, help, label
// names (and bucket bounds) are identical, and kInvalidArgument otherwise, so
// independent modules can register the same metric idempotently.
//
// Rendering is stable: families sorted by name, series by their label values
// (compared in label-name order). A labelled family with no series yet renders
// nothing (as the Go client does); an unlabelled family renders its one series
// from registration on. Numbers are formatted shortest-round-trip; +Inf, -Inf
// and NaN as the format spells them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace custos::node::metrics {

// A monotonic counter. Integer increments are kept exactly in a uint64 (so a
// byte counter never loses precision to a double); real-valued increments are
// summed separately and the two are added when rendered.
class Counter {
 public:
  void inc(uint64_t n = 1) { whole_.fetch_add(n, std::memory_order_relaxed); }
  // Adds a finite v >= 0; returns false (and changes nothing) for a negative
  // value, NaN or infinity, since a counter may never go down.
  bool add(double v);
  // The integer part when no real increment was ever made, else the sum as a double.
  double value() const;
  uint64_t whole() const { return whole_.load(std::memory_order_relaxed); }
  double real() const { return real_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> whole_{0};
  std::atomic<double> real_{0.0};
};

// A value that goes up and down.
class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void inc(double d = 1.0) { v_.fetch_add(d, std::memory_order_relaxed); }
  void dec(double d = 1.0) { v_.fetch_sub(d, std::memory_order_relaxed); }
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0.0};
};

// Fixed upper bounds b_0 < b_1 < ... (finite); an observation v lands in the
// first bucket with v <= b_i, or in the implicit +Inf bucket. Per-bucket counts
// are stored non-cumulatively and summed at render time; _count is rendered as
// that same total, so the +Inf bucket always equals _count even while other
// threads observe (only _sum may then lag by an in-flight observation).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  // NaN is counted in the +Inf bucket and makes the sum NaN (as the Go client does).
  void observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is the +Inf bucket).
  uint64_t bucket_count(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 entries
  std::atomic<double> sum_{0.0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

namespace internal {
// What the registry needs from every family: its identity and its text.
class FamilyBase {
 public:
  FamilyBase(MetricType type, std::string name, std::string help, std::vector<std::string> label_names,
             std::vector<double> bounds)
      : type_(type), name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  MetricType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  const std::vector<double>& bounds() const { return bounds_; }  // histograms only
  // Appends this family's HELP, TYPE and sample lines (nothing when it has no series).
  virtual void render(std::string& out) const = 0;

 private:
  MetricType type_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
};
}  // namespace internal

// All series of one metric name, one per distinct tuple of label values.
template <typename M>
class Family final : public internal::FamilyBase {
 public:
  using internal::FamilyBase::FamilyBase;

  // The series for `label_values` (one per label name, in the same order; any
  // UTF-8 text), created at zero on first use. kInvalidArgument on a count mismatch.
  Result<M*> with(const std::vector<std::string>& label_values);

  void render(std::string& out) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> series_;
};

// Defined (and explicitly instantiated for the three types) in registry.cpp.
extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Result<CounterFamily*> counter_family(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names);
  Result<GaugeFamily*> gauge_family(std::string_view name, std::string_view help,
                                    std::vector<std::string> label_names);
  // `bounds`: strictly increasing, finite (the +Inf bucket is implicit); may be empty.
  Result<HistogramFamily*> histogram_family(std::string_view name, std::string_view help, std::vector<double> bounds,
                                            std::vector<std::string> label_names);

  // Unlabelled shorthands: the family's single series.
  Result<Counter*> counter(std::string_view name, std::string_view help);
  Result<Gauge*> gauge(std::string_view name, std::string_view help);
  Result<Histogram*> histogram(std::string_view name, std::string_view help, std::vector<double> bounds);

  // Text exposition format 0.0.4 (Content-Type: text/plain; version=0.0.4).
  std::string render() const;

 private:
  template <typename M>
  Result<Family<M>*> register_family(MetricType type, std::string_view name, std::string_view help,
                                     std::vector<std::string> label_names, std::vector<double> bounds);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<internal::FamilyBase>, std::less<>> families_;
};

// Exposed for tests and for the HTTP endpoint's own validation.
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
// Label-value escaping of the exposition format: \ → \\, " → \", newline → \n.
std::string escape_label_value(std::string_view v);
// Sample-value formatting: shortest round-trip decimal, or +Inf / -Inf / NaN.
std::string format_value(double v);

}  // namespace custos::node::metrics
