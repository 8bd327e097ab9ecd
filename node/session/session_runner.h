// Runs this node's protocol sessions over the transport (DESIGN §3-§4): routes
// every received envelope to its session by session id, drives each session on
// a small worker pool (one session's messages are handled one at a time, so
// sessions never block each other and a slow presign never delays a signature),
// sends what sessions produce, and enforces a deadline per session: a session
// still unfinished at its deadline aborts naming the parties it waits for.
//
// Envelopes for a session that is not registered yet (a peer started first)
// are held, bounded, until it is; envelopes for sessions that have finished are
// dropped (the transport has acknowledged them).
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "crypto/rng.h"
#include "node/transport/envelope_signer.h"
#include "node/transport/transport.h"
#include "protocol/session.h"

namespace custos::node {

using Clock = std::chrono::steady_clock;

template <class Out>
struct SessionOutcome {
  std::optional<Out> output;
  std::optional<protocol::Abort> abort;  // protocol abort, or a deadline abort naming the silent parties
  bool timed_out = false;
};

// Each priority has workers of its own. Urgent: online signing rounds (one worker, and the dispatcher
// thread). Normal: what a client waits for otherwise (keygen, aux-info, the presigning of a signing
// request without a pooled presignature). Background: filling the presignature pool, on workers with a
// lower CPU priority (nice 10), so that it yields the CPU to everything a client waits for.
enum class Priority { kBackground = 0, kNormal = 1, kUrgent = 2 };
inline constexpr size_t kPriorityCount = 3;

template <class Out>
struct RunOptions {
  Priority priority = Priority::kNormal;
  // Called once with the outcome, on a runner thread, instead of fulfilling the future (which is then
  // never ready). It must not block: hand long work to another thread.
  std::function<void(SessionOutcome<Out>)> on_done;
};

// Sessions by outcome since start (for /metrics).
struct SessionCounts {
  uint64_t started = 0, completed = 0, aborted = 0, timed_out = 0;
};

struct SessionRunnerOptions {
  size_t workers = 2;             // normal-priority workers; one more serves urgent sessions only
  size_t background_workers = 2;  // background-priority workers (nice 10)
  std::chrono::milliseconds tick{20};         // how often deadlines are checked
  size_t max_early_per_session = 4096;        // envelopes held for a session not registered yet
  size_t max_early_sessions = 256;
  std::chrono::seconds early_ttl{60};         // held envelopes of a session never registered are dropped after this
};

class SessionRunner {
 public:
  // `peer_keys`: every participant's Ed25519 key (ours too), used to check broadcasts quoted inside
  // echoes and complaints, so a lying echoer cannot frame an honest party.
  SessionRunner(Transport& transport, std::map<protocol::PartyIndex, Key32> peer_keys, SessionRunnerOptions options = {});
  ~SessionRunner();
  SessionRunner(const SessionRunner&) = delete;
  SessionRunner& operator=(const SessionRunner&) = delete;

  // Starts the dispatcher and workers (the transport must be started already).
  void start();
  // Stops taking messages; unfinished sessions end with an abort "node stopping".
  void stop();

  // Registers and starts a session. Its outcome is delivered through the future once it produces an
  // output, aborts, or reaches `deadline`. Fails if a session with that id is running.
  template <class Out>
  Result<std::future<SessionOutcome<Out>>> run(protocol::Session<Out> session, Clock::time_point deadline,
                                               RunOptions<Out> options = {});

  // Ends a running session now with an abort carrying `reason` (e.g. another signer refused to join);
  // false if no such session runs.
  bool cancel(const Digest32& session_id, const std::string& reason);

  size_t running() const;
  SessionCounts counts() const;

  // Envelopes of `protocol` (node control messages, not protocol sessions) go to `handler`, called on
  // the dispatcher thread: it must return quickly. Set before start().
  void set_control_handler(std::string protocol, std::function<void(protocol::Message)> handler);

 private:
  // Type-erased session with its own lock (its strand) and completion.
  struct Entry {
    virtual ~Entry() = default;
    virtual void handle(const protocol::Message& m) = 0;
    virtual void begin() = 0;
    virtual bool finished() const = 0;
    virtual std::vector<protocol::Message> take_outgoing() = 0;
    virtual void complete_if_finished() = 0;
    virtual void expire(const std::string& reason, bool timed_out) = 0;  // deadline, cancel or stop
    std::mutex mu;
    Clock::time_point deadline;
    Digest32 id{};
    std::vector<protocol::PartyIndex> parties;
    Priority priority = Priority::kNormal;
    bool begun = false;  // begin() ran (e->mu)
    SessionRunner* runner = nullptr;  // counts outcomes
    bool done = false;  // outcome delivered
  };
  template <class Out>
  struct TypedEntry;

  Status add(std::shared_ptr<Entry> e);
  void dispatch_loop();
  void worker_loop(Priority queue);
  void post(std::function<void()> task, Priority queue);
  void deliver(const std::shared_ptr<Entry>& e, const protocol::Message& m);
  void flush(Entry& e);  // sends outgoing, completes and unregisters a finished session (e.mu held)
  void check_deadlines();
  void remember_finished(const Digest32& id);  // mu_ held
  bool authenticate(const protocol::Message& m) const;
  void count_outcome(bool completed, bool timed_out);

  Transport& transport_;
  std::map<protocol::PartyIndex, EnvelopeVerifier> verifiers_;
  std::string control_protocol_;
  std::function<void(protocol::Message)> control_handler_;
  SessionRunnerOptions options_;

  mutable std::mutex mu_;
  std::map<Digest32, std::shared_ptr<Entry>> sessions_;
  SessionCounts counts_;  // mu_
  bool closed_ = false;  // stop() ran: run() refuses new sessions
  struct Early {
    Clock::time_point first_seen;
    std::vector<protocol::Message> messages;
  };
  std::map<Digest32, Early> early_;
  std::deque<Digest32> finished_order_;  // recently finished sessions: late envelopes are dropped, not held
  std::set<Digest32> finished_;

  std::mutex task_mu_;
  // One queue and one set of workers per Priority (index = the enum's value).
  std::array<std::condition_variable, kPriorityCount> task_cv_;
  std::array<std::deque<std::function<void()>>, kPriorityCount> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
  std::thread dispatcher_;
  bool started_ = false;
};

// ---------------------------------------------------------------------------

template <class Out>
struct SessionRunner::TypedEntry final : Entry {
  protocol::Session<Out> session;
  OsRng rng;  // sessions draw their randomness here (node: the OS CSPRNG)
  std::promise<SessionOutcome<Out>> promise;
  std::function<void(SessionOutcome<Out>)> on_done;

  explicit TypedEntry(protocol::Session<Out> s) : session(std::move(s)) {}
  void deliver_outcome(SessionOutcome<Out> o) {
    done = true;
    runner->count_outcome(o.output.has_value(), o.timed_out);
    if (on_done) {
      on_done(std::move(o));
    } else {
      promise.set_value(std::move(o));
    }
  }
  void begin() override { session.advance(rng); }
  void handle(const protocol::Message& m) override { (void)session.handle(m, rng); }
  bool finished() const override { return session.finished(); }
  std::vector<protocol::Message> take_outgoing() override { return session.take_outgoing(); }
  void complete_if_finished() override {
    if (done || !session.finished()) return;
    SessionOutcome<Out> o;
    if (session.output()) o.output = session.take_output();
    if (session.aborted()) o.abort = *session.aborted();
    deliver_outcome(std::move(o));
  }
  void expire(const std::string& reason, bool timed_out) override {
    if (done) return;
    SessionOutcome<Out> o;
    o.timed_out = timed_out;
    std::vector<protocol::PartyIndex> silent = session.waiting_for();
    std::string names;
    for (protocol::PartyIndex p : silent) names += (names.empty() ? "" : ", ") + std::to_string(p);
    if (!timed_out) silent.clear();  // a cancelled session blames no one for silence
    o.abort = protocol::Abort{silent, reason + (silent.empty() ? "" : ": no answer from party " + names), {}};
    deliver_outcome(std::move(o));
  }
};

template <class Out>
Result<std::future<SessionOutcome<Out>>> SessionRunner::run(protocol::Session<Out> session, Clock::time_point deadline,
                                                            RunOptions<Out> options) {
  session.set_authenticator([this](const protocol::Message& m) { return authenticate(m); });
  auto e = std::make_shared<TypedEntry<Out>>(std::move(session));
  e->deadline = deadline;
  e->id = e->session.params().session_id;
  e->parties = e->session.params().parties;
  e->priority = options.priority;
  e->runner = this;
  e->on_done = std::move(options.on_done);
  std::future<SessionOutcome<Out>> f = e->promise.get_future();
  RETURN_IF_ERROR(add(e));
  return f;
}

}  // namespace custos::node
