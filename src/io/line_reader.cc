#include "io/line_reader.h"

#include <zlib.h>

#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace gaussner {

struct LineReader::Impl {
  gzFile file = nullptr;
  char buffer[1 << 16];
};

LineReader::LineReader(const std::string& path)
    : impl_(std::make_unique<Impl>()), path_(path == "-" ? "<stdin>" : path) {
  // gzread passes plain files through unchanged, so one path serves both.
  impl_->file = path == "-" ? gzdopen(dup(STDIN_FILENO), "rb")
                            : gzopen(path.c_str(), "rb");
  if (impl_->file == nullptr) {
    fail("{}: cannot open for reading: {}", path_, std::strerror(errno));
  }
  gzbuffer(impl_->file, 1 << 17);
}

LineReader::~LineReader() {
  if (impl_->file != nullptr) gzclose(impl_->file);
}

bool LineReader::next(std::string& line) {
  line.clear();
  bool got_any = false;
  while (gzgets(impl_->file, impl_->buffer, sizeof(impl_->buffer))) {
    got_any = true;
    std::size_t n = std::strlen(impl_->buffer);
    line.append(impl_->buffer, n);
    if (n > 0 && impl_->buffer[n - 1] == '\n') break;
  }
  if (!got_any) {
    int code = 0;
    const char* message = gzerror(impl_->file, &code);
    if (code != Z_OK && code != Z_STREAM_END) {
      fail("{}: read error after line {}: {}", path_, line_number_, message);
    }
    return false;
  }
  if (!line.empty() && line.back() == '\n') line.pop_back();
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_number_;
  return true;
}

}  // namespace gaussner
