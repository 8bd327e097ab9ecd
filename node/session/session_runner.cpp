#include "node/session/session_runner.h"

#include "node/transport/thread_attributes.h"

namespace custos::node {

SessionRunner::SessionRunner(Transport& transport, std::map<protocol::PartyIndex, Key32> peer_keys,
                             SessionRunnerOptions options)
    : transport_(transport), options_(options) {
  for (const auto& [id, key] : peer_keys) {
    auto v = EnvelopeVerifier::from_public(key);
    if (v.ok()) verifiers_.emplace(id, std::move(v).value());  // an invalid key verifies nothing
  }
}

SessionRunner::~SessionRunner() { stop(); }

void SessionRunner::start() {
  std::lock_guard<std::mutex> lock(task_mu_);
  if (started_) return;
  started_ = true;
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i) {
    workers_.emplace_back([this] {
      name_this_thread("custos-session");
      worker_loop(Priority::kNormal);
    });
  }
  for (size_t i = 0; i < std::max<size_t>(1, options_.background_workers); ++i) {
    workers_.emplace_back([this] {
      name_this_thread("custos-bg");
      make_this_thread_background();
      worker_loop(Priority::kBackground);
    });
  }
  workers_.emplace_back([this] {
    name_this_thread("custos-urgent");
    worker_loop(Priority::kUrgent);
  });
  dispatcher_ = std::thread([this] {
    name_this_thread("custos-dispatch");
    dispatch_loop();
  });
}

void SessionRunner::stop() {
  {
    std::lock_guard<std::mutex> lock(task_mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  for (auto& cv : task_cv_) cv.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  for (std::thread& w : workers_) w.join();
  // Nothing runs any more: end every unfinished session so no caller waits forever.
  std::map<Digest32, std::shared_ptr<Entry>> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    left.swap(sessions_);
  }
  for (auto& [id, e] : left) {
    std::lock_guard<std::mutex> lock(e->mu);
    e->expire("node stopping", false);  // our own stop: nobody to blame
  }
}

bool SessionRunner::cancel(const Digest32& session_id, const std::string& reason) {
  std::shared_ptr<Entry> e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) return false;
    e = it->second;
  }
  // Unregistered by the task itself: if stop() comes first, it still finds and ends the session.
  post([this, e, reason] {
    {
      std::lock_guard<std::mutex> lock(e->mu);
      e->expire(reason, false);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = sessions_.find(e->id); it != sessions_.end() && it->second == e) {
      sessions_.erase(it);
      remember_finished(e->id);
    }
  }, e->priority);  // on the session's own workers: the urgent one never waits for a presign round's lock
  return true;
}

void SessionRunner::set_control_handler(std::string protocol, std::function<void(protocol::Message)> handler) {
  control_protocol_ = std::move(protocol);
  control_handler_ = std::move(handler);
}

SessionCounts SessionRunner::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void SessionRunner::count_outcome(bool completed, bool timed_out) {
  std::lock_guard<std::mutex> lock(mu_);
  (completed ? counts_.completed : timed_out ? counts_.timed_out : counts_.aborted) += 1;
}

size_t SessionRunner::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

bool SessionRunner::authenticate(const protocol::Message& m) const {
  auto it = verifiers_.find(m.from);
  return it != verifiers_.end() && it->second.verify(m);
}

Status SessionRunner::add(std::shared_ptr<Entry> e) {
  std::vector<protocol::Message> early;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return failed_precondition("node stopping: no new sessions");
    if (sessions_.count(e->id)) return failed_precondition("a session with this id is already running");
    sessions_[e->id] = e;
    ++counts_.started;
    if (auto it = early_.find(e->id); it != early_.end()) {
      early = std::move(it->second.messages);
      early_.erase(it);
    }
  }
  post([this, e, early = std::move(early)] {
    std::lock_guard<std::mutex> lock(e->mu);
    e->begin();
    e->begun = true;
    for (const protocol::Message& m : early) {
      if (e->finished()) break;
      e->handle(m);
    }
    flush(*e);
  }, e->priority);
  return ok_status();
}

void SessionRunner::post(std::function<void()> task, Priority queue) {
  const auto q = static_cast<size_t>(queue);
  {
    std::lock_guard<std::mutex> lock(task_mu_);
    tasks_[q].push_back(std::move(task));
  }
  task_cv_[q].notify_one();  // one wake-up per task, among the workers of that priority
}

void SessionRunner::worker_loop(Priority priority) {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(task_mu_);
      // Each worker serves the queue of its own priority only: nothing waits behind lower-priority work.
      const auto q = static_cast<size_t>(priority);
      std::deque<std::function<void()>>& queue = tasks_[q];
      task_cv_[q].wait(lock, [&] { return stopping_ || !queue.empty(); });
      if (stopping_) return;
      task = std::move(queue.front());
      queue.pop_front();
    }
    task();
  }
}

void SessionRunner::deliver(const std::shared_ptr<Entry>& e, const protocol::Message& m) {
  post([this, e, m] {
    std::lock_guard<std::mutex> lock(e->mu);
    if (e->done) return;
    e->handle(m);
    flush(*e);
  }, e->priority);
}

void SessionRunner::flush(Entry& e) {
  for (protocol::Message& m : e.take_outgoing()) {
    // A refused send (a peer's outbound bound is full) leaves the session waiting: its deadline names
    // that peer as silent, which is what an unreachable peer is.
    (void)transport_.send_to(std::move(m), e.parties);
  }
  if (!e.finished() || e.done) return;
  e.complete_if_finished();
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(e.id);
  remember_finished(e.id);
  // The transport keeps our last messages until acknowledged (a slow peer may still need our final
  // round or echo): the session is not forgotten there, only here.
}

void SessionRunner::remember_finished(const Digest32& id) {
  if (!finished_.insert(id).second) return;
  finished_order_.push_back(id);
  while (finished_order_.size() > 4096) {
    finished_.erase(finished_order_.front());
    finished_order_.pop_front();
  }
}

void SessionRunner::check_deadlines() {
  const Clock::time_point now = Clock::now();
  std::vector<std::shared_ptr<Entry>> expired;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if (it->second->deadline <= now) {
        expired.push_back(it->second);
        remember_finished(it->first);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = early_.begin(); it != early_.end();) {
      it = (now - it->second.first_seen > options_.early_ttl) ? early_.erase(it) : std::next(it);
    }
  }
  for (auto& e : expired) {
    post([e] {
      std::lock_guard<std::mutex> lock(e->mu);
      e->expire("session deadline passed", true);
    }, e->priority);
  }
}

void SessionRunner::dispatch_loop() {
  Clock::time_point next_check = Clock::now();
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(task_mu_);
      if (stopping_) return;
    }
    std::optional<protocol::Message> m = transport_.receive(options_.tick);
    if (m && control_handler_ && m->protocol == control_protocol_) {
      control_handler_(std::move(*m));
      m.reset();
    }
    if (m) {
      std::shared_ptr<Entry> e;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (auto it = sessions_.find(m->session_id); it != sessions_.end()) {
          e = it->second;
        } else if (!finished_.count(m->session_id)) {
          // Not registered yet (a peer started first): hold it, bounded.
          auto held = early_.find(m->session_id);
          if (held == early_.end() && early_.size() < options_.max_early_sessions) {
            held = early_.emplace(m->session_id, Early{Clock::now(), {}}).first;
          }
          if (held != early_.end() && held->second.messages.size() < options_.max_early_per_session) {
            held->second.messages.push_back(std::move(*m));
          }
        }
      }
      if (e) {
        if (e->priority == Priority::kUrgent) {
          // An online round's message is handled here, without a hop to the urgent worker: it is short
          // (a share to check and add), and the client is waiting for it. Before the session began, it
          // queues behind the begin task instead.
          std::unique_lock<std::mutex> lock(e->mu);
          if (e->begun) {
            if (!e->done) {
              e->handle(*m);
              flush(*e);
            }
            m.reset();
          }
        }
        if (m) deliver(e, *m);
      }
    }
    if (Clock::now() >= next_check) {
      check_deadlines();
      next_check = Clock::now() + options_.tick;
    }
  }
}

}  // namespace custos::node
