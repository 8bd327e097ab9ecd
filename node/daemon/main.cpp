// custos-node: one signer node. Refuses to start on any configuration, identity
// or storage problem (exit 2, the problems on stderr); stops cleanly on SIGTERM
// or SIGINT (exit 0).
#include <csignal>
#include <cstring>
#include <iostream>

#include <CLI/CLI.hpp>

#include "node/daemon/node_app.h"

int main(int argc, char** argv) {
  CLI::App cli("custos-node: a Custos signer node", "custos-node");
  custos::node::NodeAppOptions options;
  cli.add_option("--config", options.config_path, "node configuration (node.yaml)")->required();
  cli.add_flag("--create-store", options.create_store, "create the node database on first start");
  CLI11_PARSE(cli, argc, argv);

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
  std::cerr << "custos-node " << (*app)->config().name << ": running; API on " << (*app)->api_address() << "\n";
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "custos-node " << (*app)->config().name << ": " << strsignal(sig) << ", stopping\n";
  (*app)->stop();
  std::cerr << "custos-node " << (*app)->config().name << ": stopped\n";
  return 0;
}
