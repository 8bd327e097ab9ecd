// custos-sim: the in-process simulator. `custos-sim demo` is the project's demo.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "demo") != 0) {
    std::fprintf(stderr, "usage: custos-sim demo\n");
    return 2;
  }
  std::printf("demo not yet wired\n");
  return 0;
}
