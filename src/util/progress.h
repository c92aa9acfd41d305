// Progress lines for long work: step/total, rate and ETA, redrawn in place
// on a terminal and printed one per interval otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace gaussner {

class Progress {
 public:
  // `what` names the work ("train", "episodes"); a line is printed at most
  // every `every_seconds` (and always for the last step).
  Progress(std::string what, int64_t total, double every_seconds = 2.0);

  // Reports that `done` of `total` units are finished; `detail` is appended
  // (e.g. "loss 1.234 lr 5e-05"). Returns true when a line was printed.
  bool update(int64_t done, const std::string& detail = "");

  // Ends a redrawn line with a newline.
  void finish();

  // Seconds since construction.
  double elapsed() const;

  // Estimated seconds left after `done` units.
  double eta(int64_t done) const;

 private:
  std::string what_;
  int64_t total_;
  double every_;
  bool tty_;
  bool open_line_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace gaussner
