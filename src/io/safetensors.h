// The safetensors checkpoint format: reader (memory-mapped) and writer.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

namespace gaussner {

// Tensors by checkpoint name, in name order.
using TensorMap = std::map<std::string, torch::Tensor>;

// Reads every tensor of a .safetensors file (F32, F16, BF16, F64, I64, I32,
// I16, I8, U8, BOOL). The file is memory-mapped; returned tensors own their
// memory. Errors name the file and what is wrong (truncated file, header
// past the end, overlapping or out-of-range offsets, unknown dtype).
TensorMap read_safetensors(const std::string& path);

// Writes `tensors` (made contiguous, on CPU) with optional string metadata.
// Writes to a temporary file beside `path` and renames it, so a reader
// never sees a half-written file.
void write_safetensors(const std::string& path,
                       const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata = {
                           {"format", "pt"}});

}  // namespace gaussner
