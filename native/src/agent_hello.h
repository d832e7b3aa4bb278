/* The agent's handshake: what the client needs to know about the host
 * before its first request (and to explain why one would fail). */
#ifndef BPFSCOPE_AGENT_HELLO_H
#define BPFSCOPE_AGENT_HELLO_H

#include "frame.h"

#define BS_AGENT_VERSION "0.1.0"

/* Appends the handshake object to j. */
void bs_agent_hello(struct bs_json *j);

#endif
