#include "arkwiki/storage/db_wait.h"

#include <utility>

namespace arkwiki {
namespace {

thread_local std::chrono::steady_clock::duration t_db_wait{};

}  // namespace

void CountThreadDbWait(std::chrono::steady_clock::duration waited) { t_db_wait += waited; }

std::chrono::steady_clock::duration TakeThreadDbWait() {
  return std::exchange(t_db_wait, std::chrono::steady_clock::duration{});
}

}  // namespace arkwiki
