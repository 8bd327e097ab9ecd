// custos-node: one signer node. Refuses to start on any configuration, identity
// or storage problem (exit 2, the problems on stderr); stops cleanly on SIGTERM
// or SIGINT (exit 0).
#include <csignal>
#include <cstring>
#include <iostream>

#include <CLI/CLI.hpp>
#include <google/protobuf/stubs/logging.h>

#include "node/daemon/node_app.h"

int main(int argc, char** argv) {
  CLI::App cli("custos-node: a Custos signer node", "custos-node");
  custos::node::NodeAppOptions options;
  cli.add_option("--config", options.config_path, "node configuration (node.yaml)")->required();
  cli.add_flag("--create-store", options.create_store, "create the node database on first start");
  CLI11_PARSE(cli, argc, argv);
  // libprotobuf would print every peer-supplied invalid string to stderr; the transport counts and
  // drops such envelopes itself, so a peer cannot flood the node's log through the library.
  google::protobuf::SetLogHandler(nullptr);

  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto app = custos::node::NodeApp::start(options);
  if (!app.ok()) {
    std::cerr << "custos-node: not starting: " << app.status().message() << "\n";
    return 2;
  }
  const custos::node::EventLog& events = (*app)->events();
  events.info("node.running", {{"api", (*app)->api_address()}, {"node_id", (*app)->config().node_id}});
  int sig = 0;
  sigwait(&stop_signals, &sig);
  events.info("node.stopping", {{"signal", strsignal(sig)}});
  (*app)->stop();
  events.info("node.stopped");
  return 0;
}
