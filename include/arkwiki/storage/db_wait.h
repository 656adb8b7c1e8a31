// Time a thread has spent waiting for a database connection: blocked on a
// Db's mutex (the writer connection), or for a free ReadPool connection.
// The server reports it per request, to tell time spent queueing for the
// database from time spent working.
#pragma once

#include <chrono>

namespace arkwiki {

// Adds `waited` to the calling thread's total.
void CountThreadDbWait(std::chrono::steady_clock::duration waited);
// The calling thread's total since its previous call; starts a new total.
std::chrono::steady_clock::duration TakeThreadDbWait();

}  // namespace arkwiki
