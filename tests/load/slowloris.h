// Slowloris: connections that send a request head one header line at a
// time, `slow_line_ms` apart, and never finish it. The server must close
// each one at its head deadline (head_timeout_ms) without answering it;
// every slot then reconnects, so the pressure holds until the run stops.
#pragma once

#include <latch>

#include "load/load_clients.h"
#include "load/load_log.h"
#include "load/load_options.h"

namespace arkwiki::load {

inline constexpr char kSlowHold[] = "slowloris hold";

// Opens options.slowloris connections and sends each its request line,
// arrives at `start`, then keeps them going until `stop`. Records each
// connection's lifetime (kSlowHold) once the server has closed it; a
// connection the server answers with anything but 408 is a failure.
void RunSlowloris(int port, const LoadOptions& options, LoadLog* log, std::latch* start,
                  const StopSignal& stop);

}  // namespace arkwiki::load
