#include "io/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/ranges.h>

#include "util/error.h"

namespace gaussner {
namespace {

using nlohmann::json;

struct DtypeInfo {
  const char* name;
  torch::ScalarType type;
  int64_t size;
};

// Safetensors dtype names; the order is the writer's "largest first" order.
const DtypeInfo kDtypes[] = {
    {"F64", torch::kDouble, 8},
    {"I64", torch::kLong, 8},
    {"F32", torch::kFloat, 4},
    {"I32", torch::kInt, 4},
    {"F16", torch::kHalf, 2},
    {"BF16", torch::kBFloat16, 2},
    {"I16", torch::kShort, 2},
    {"I8", torch::kChar, 1},
    {"U8", torch::kByte, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* find_dtype(const std::string& name) {
  for (const auto& info : kDtypes) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

const DtypeInfo& dtype_of(torch::ScalarType type, const std::string& key) {
  for (const auto& info : kDtypes) {
    if (info.type == type) return info;
  }
  fail(
      "write_safetensors: tensor '{}' has dtype {}, which safetensors "
      "cannot store here (supported: F64 I64 F32 I32 F16 BF16 I16 I8 U8 "
      "BOOL)",
      key,
      c10::toString(type));
}

// A read-only memory map of a whole file, unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) fail("{}: cannot open: {}", path, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      fail("{}: cannot stat: {}", path, std::strerror(err));
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        int err = errno;
        ::close(fd);
        fail("{}: cannot memory-map: {}", path, std::strerror(err));
      }
      data_ = static_cast<const uint8_t*>(p);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) {
      ::munmap(const_cast<uint8_t*>(data_), size_);
    }
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }

 private:
  std::string path_;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

uint64_t read_u64_le(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// One header entry, validated against the data section.
struct Entry {
  std::string name;
  const DtypeInfo* dtype = nullptr;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

std::vector<int64_t> parse_shape(const json& j,
                                 const std::string& path,
                                 const std::string& name) {
  if (!j.is_array()) {
    fail("{}: tensor '{}': shape {} is not a list of sizes",
         path,
         name,
         j.dump());
  }
  std::vector<int64_t> shape;
  for (const auto& d : j) {
    if (!d.is_number_unsigned()) {
      fail(
          "{}: tensor '{}': shape {} has a size that is not a "
          "non-negative integer",
          path,
          name,
          j.dump());
    }
    shape.push_back(d.get<int64_t>());
  }
  return shape;
}

Entry parse_entry(const std::string& name,
                  const json& j,
                  const std::string& path,
                  uint64_t data_size) {
  if (!j.is_object() || !j.contains("dtype") || !j.contains("shape") ||
      !j.contains("data_offsets")) {
    fail(
        "{}: tensor '{}': header entry {} needs dtype, shape and "
        "data_offsets",
        path,
        name,
        j.dump());
  }
  Entry e;
  e.name = name;
  std::string dtype = j["dtype"].is_string() ? j["dtype"].get<std::string>()
                                             : j["dtype"].dump();
  e.dtype = find_dtype(dtype);
  if (e.dtype == nullptr) {
    fail(
        "{}: tensor '{}' has unknown dtype '{}' (supported: F64 I64 F32 "
        "I32 F16 BF16 I16 I8 U8 BOOL)",
        path,
        name,
        dtype);
  }
  e.shape = parse_shape(j["shape"], path, name);

  const json& off = j["data_offsets"];
  if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
      !off[1].is_number_unsigned()) {
    fail("{}: tensor '{}': data_offsets {} is not [begin, end]",
         path,
         name,
         off.dump());
  }
  e.begin = off[0].get<uint64_t>();
  e.end = off[1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_size) {
    fail(
        "{}: tensor '{}': data_offsets [{}, {}] out of range: the data "
        "section has {} bytes (truncated file?)",
        path,
        name,
        e.begin,
        e.end,
        data_size);
  }
  uint64_t numel = 1;
  for (int64_t d : e.shape) numel *= static_cast<uint64_t>(d);
  uint64_t want = numel * static_cast<uint64_t>(e.dtype->size);
  if (want != e.end - e.begin) {
    fail(
        "{}: tensor '{}': shape [{}] of {} needs {} bytes but data_offsets "
        "[{}, {}] hold {}",
        path,
        name,
        fmt::join(e.shape, ", "),
        e.dtype->name,
        want,
        e.begin,
        e.end,
        e.end - e.begin);
  }
  return e;
}

// No two tensors may share bytes (zero-size tensors share nothing).
void check_overlaps(std::vector<Entry>& entries, const std::string& path) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const Entry* last = nullptr;
  for (const auto& e : entries) {
    if (e.begin == e.end) continue;
    if (last != nullptr && e.begin < last->end) {
      fail(
          "{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap in the data "
          "section",
          path,
          last->name,
          last->begin,
          last->end,
          e.name,
          e.begin,
          e.end);
    }
    last = &e;
  }
}

json parse_header(const MappedFile& file,
                  const std::string& path,
                  uint64_t& data_start) {
  if (file.size() < 8) {
    fail(
        "{}: truncated: {} bytes, shorter than the 8-byte header length "
        "(not a safetensors file, or an interrupted download?)",
        path,
        file.size());
  }
  uint64_t n = read_u64_le(file.data());
  if (n > file.size() - 8) {
    fail(
        "{}: header length {} runs past the end of the file ({} bytes; "
        "truncated, or not a safetensors file?)",
        path,
        n,
        file.size());
  }
  data_start = 8 + n;
  const char* text = reinterpret_cast<const char*>(file.data() + 8);
  json header = json::parse(text, text + n, nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    fail("{}: the {}-byte header is not a valid JSON object", path, n);
  }
  return header;
}

std::string temp_name(const std::string& path) {
  return fmt::format("{}.tmp.{}", path, ::getpid());
}

void write_all(std::FILE* f, const void* data, size_t size, const char* tmp) {
  if (size > 0 && std::fwrite(data, 1, size, f) != size) {
    int err = errno;
    std::fclose(f);
    std::remove(tmp);
    fail("{}: write failed: {}", tmp, std::strerror(err));
  }
}

}  // namespace

TensorMap read_safetensors(const std::string& path) {
  MappedFile file(path);
  uint64_t data_start = 0;
  json header = parse_header(file, path, data_start);
  uint64_t data_size = file.size() - data_start;

  std::vector<Entry> entries;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    entries.push_back(parse_entry(it.key(), it.value(), path, data_size));
  }
  check_overlaps(entries, path);

  // Copy into owned tensors: the map goes away with `file`.
  TensorMap tensors;
  const uint8_t* data = file.data() + data_start;
  for (const auto& e : entries) {
    auto t = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype->type));
    if (e.end > e.begin) {
      std::memcpy(t.data_ptr(), data + e.begin, e.end - e.begin);
    }
    tensors.emplace(e.name, std::move(t));
  }
  return tensors;
}

void write_safetensors(const std::string& path,
                       const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata) {
  // Lay out the data grouped by dtype, largest first, then by name.
  std::vector<std::pair<std::string, torch::Tensor>> order;
  for (const auto& [name, t] : tensors) {
    dtype_of(t.scalar_type(), name);
    order.emplace_back(name, t.detach().to(torch::kCPU).contiguous());
  }
  std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) {
    return a.second.element_size() > b.second.element_size();
  });

  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, t] : order) {
    uint64_t bytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtype_of(t.scalar_type(), name).name},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string tmp = temp_name(path);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    fail("{}: cannot open for writing: {}", tmp, std::strerror(errno));
  }
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = (text.size() >> (8 * i)) & 0xff;
  write_all(f, length, 8, tmp.c_str());
  write_all(f, text.data(), text.size(), tmp.c_str());
  for (const auto& [name, t] : order) {
    write_all(f, t.data_ptr(), t.numel() * t.element_size(), tmp.c_str());
  }
  if (std::fclose(f) != 0) {
    std::remove(tmp.c_str());
    fail("{}: close failed: {}", tmp, std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    fail("{}: cannot rename to {}: {}", tmp, path, std::strerror(err));
  }
}

}  // namespace gaussner
