// arkwiki: the server and its command line. Everything lives in the layers.
#include "arkwiki/cli/cli.h"

int main(int argc, char** argv) { return arkwiki::RunCli(argc, argv); }
