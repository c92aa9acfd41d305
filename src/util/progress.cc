#include "util/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace gaussner {

Progress::Progress(std::string what, int64_t total, double every_seconds)
    : what_(std::move(what)),
      total_(total),
      every_(every_seconds),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_ - std::chrono::hours(1)) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       start_)
      .count();
}

double Progress::eta(int64_t done) const {
  if (done <= 0 || total_ <= 0) return 0;
  return elapsed() / static_cast<double>(done) *
         static_cast<double>(total_ - done);
}

bool Progress::update(int64_t done, const std::string& detail) {
  auto now = std::chrono::steady_clock::now();
  bool last_step = done >= total_;
  if (!last_step &&
      std::chrono::duration<double>(now - last_).count() < every_) {
    return false;
  }
  last_ = now;
  double percent = total_ > 0 ? 100.0 * done / total_ : 100.0;
  std::string line = fmt::format("{} {}/{} ({:.0f}%) {} elapsed {} eta {}",
                                 what_,
                                 done,
                                 total_,
                                 percent,
                                 detail,
                                 format_duration(elapsed()),
                                 format_duration(eta(done)));
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    open_line_ = true;
    if (last_step) finish();
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
  return true;
}

void Progress::finish() {
  if (open_line_) std::fprintf(stderr, "\n");
  open_line_ = false;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02d}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02d}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace gaussner
