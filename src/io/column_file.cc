#include "io/column_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "io/line_reader.h"
#include "text/tags.h"
#include "util/error.h"

namespace gaussner {

namespace {

constexpr char kDocStart[] = "-DOCSTART-";
constexpr char kBlanks[] = " \t";

enum class Scheme { kAuto, kIo, kBio, kBioes };

Scheme parse_scheme(const std::string& name) {
  if (name == "auto") return Scheme::kAuto;
  if (name == "io") return Scheme::kIo;
  if (name == "bio") return Scheme::kBio;
  if (name == "bioes") return Scheme::kBioes;
  fail(
      "ColumnOptions.scheme: '{}' is not a tag scheme; expected auto, io, "
      "bio or bioes",
      name);
}

// Whether a well-formed tag belongs to `scheme`, and what it should be.
bool fits(const Tag& tag, Scheme scheme) {
  bool outside = tag.prefix == 0 && tag.type == "O";
  switch (scheme) {
    case Scheme::kAuto:
      return true;
    case Scheme::kIo:
      return tag.prefix == 0 || tag.prefix == 'I';
    case Scheme::kBio:
      return outside || tag.prefix == 'B' || tag.prefix == 'I';
    case Scheme::kBioes:
      return outside || tag.prefix != 0;
  }
  return false;
}

const char* expected_tags(Scheme scheme) {
  switch (scheme) {
    case Scheme::kIo:
      return "O, a type, or I-<type>";
    case Scheme::kBio:
      return "O, B-<type> or I-<type>";
    case Scheme::kBioes:
      return "O or B-/I-/E-/S-<type>";
    case Scheme::kAuto:
      break;
  }
  return "O, a type, or B-/I-/E-/S-<type>";
}

// Tab-separated when the line has a tab (fields may then hold spaces, as
// FUNSD box columns do), else separated by runs of spaces.
std::vector<std::string> split_columns(const std::string& line) {
  std::vector<std::string> fields;
  if (line.find('\t') != std::string::npos) {
    std::size_t begin = 0;
    while (true) {
      std::size_t end = line.find('\t', begin);
      std::string field = line.substr(begin, end - begin);
      std::size_t first = field.find_first_not_of(' ');
      std::size_t last = field.find_last_not_of(' ');
      fields.push_back(first == std::string::npos
                           ? std::string()
                           : field.substr(first, last - first + 1));
      if (end == std::string::npos) break;
      begin = end + 1;
    }
    return fields;
  }
  std::size_t begin = line.find_first_not_of(' ');
  while (begin != std::string::npos) {
    std::size_t end = line.find(' ', begin);
    fields.push_back(line.substr(begin, end - begin));
    begin = line.find_first_not_of(' ', end);
  }
  return fields;
}

// A column index resolved against `count` fields (negative counts from the
// end); -1 when out of range.
int resolve_column(int column, std::size_t count) {
  int n = static_cast<int>(count);
  int index = column >= 0 ? column : n + column;
  return index >= 0 && index < n ? index : -1;
}

// Reads one column file; holds the state that errors need.
class ColumnReader {
 public:
  ColumnReader(const std::string& path, const ColumnOptions& options)
      : reader_(path),
        options_(options),
        scheme_(parse_scheme(options.scheme)) {
    if (options.word_column == options.label_column) {
      fail(
          "ColumnOptions: word_column and label_column are both {}; "
          "expected different columns",
          options.word_column);
    }
  }

  std::vector<Sentence> read() {
    std::string line;
    while (reader_.next(line)) {
      std::size_t end = line.find_last_not_of(kBlanks);
      if (end == std::string::npos) {
        end_sentence();
        continue;
      }
      line.resize(end + 1);
      read_line(line);
    }
    end_sentence();
    return std::move(sentences_);
  }

 private:
  std::string where() const {
    return fmt::format("{}:{}", reader_.path(), reader_.line_number());
  }

  void end_sentence() {
    if (!current_.words.empty()) sentences_.push_back(std::move(current_));
    current_ = Sentence();
  }

  void read_line(const std::string& line) {
    std::vector<std::string> fields = split_columns(line);
    if (!fields.empty() && fields[0] == kDocStart) {
      end_sentence();
      return;
    }
    bool unlabelled = !options_.require_labels && fields.size() == 1;
    int word =
        unlabelled ? 0 : resolve_column(options_.word_column, fields.size());
    int label =
        unlabelled ? -1 : resolve_column(options_.label_column, fields.size());
    if (word < 0 || (!unlabelled && (label < 0 || label == word))) {
      fail(
          "{}: too few columns ({}) in line '{}'; expected a word in "
          "column {} and a label in column {}",
          where(),
          fields.size(),
          line,
          options_.word_column,
          options_.label_column);
    }
    if (fields[word].empty()) {
      fail("{}: empty word in column {} of line '{}'", where(), word, line);
    }
    check_labelling(unlabelled);
    if (current_.words.empty()) current_.source = where();
    current_.words.push_back(fields[word]);
    if (!unlabelled) current_.labels.push_back(io_tag(fields[label]));
  }

  // A file is either labelled throughout or unlabelled throughout.
  void check_labelling(bool unlabelled) {
    std::size_t& first = unlabelled ? first_unlabelled_ : first_labelled_;
    if (first == 0) first = reader_.line_number();
    if (first_labelled_ != 0 && first_unlabelled_ != 0) {
      fail(
          "{}: line {} has no label column but line {} has one; expected "
          "every word line to be labelled or none",
          where(),
          first_unlabelled_,
          first_labelled_);
    }
  }

  // Validates `tag` against the scheme and label set; returns its IO label.
  std::string io_tag(const std::string& tag) {
    if (!well_formed_tag(tag)) {
      fail("{}: malformed tag '{}'; expected {}",
           where(),
           tag,
           expected_tags(scheme_));
    }
    Tag parsed = parse_tag(tag);
    if (!fits(parsed, scheme_)) {
      fail("{}: tag '{}' does not fit scheme {}; expected {}",
           where(),
           tag,
           options_.scheme,
           expected_tags(scheme_));
    }
    if (scheme_ == Scheme::kAuto) check_consistent(parsed, tag);
    if (options_.labels != nullptr) {
      std::string context = parsed.prefix == 0
                                ? where()
                                : fmt::format("{} (tag '{}')", where(), tag);
      options_.labels->at(parsed.type, context);
    }
    return parsed.type;
  }

  // Under "auto", prefixed tags (B-PER) and bare types (PER) must not mix:
  // a file that does is most likely misread.
  void check_consistent(const Tag& parsed, const std::string& tag) {
    if (parsed.prefix == 0 && parsed.type == "O") return;
    std::string& first = parsed.prefix != 0 ? first_prefixed_ : first_bare_;
    std::size_t& line = parsed.prefix != 0 ? prefixed_line_ : bare_line_;
    if (first.empty()) {
      first = tag;
      line = reader_.line_number();
    }
    if (!first_prefixed_.empty() && !first_bare_.empty()) {
      fail(
          "{}: tag '{}' mixes tag schemes: line {} has the prefixed tag "
          "'{}' but line {} has the bare type '{}'; expected one scheme",
          where(),
          tag,
          prefixed_line_,
          first_prefixed_,
          bare_line_,
          first_bare_);
    }
  }

  LineReader reader_;
  const ColumnOptions& options_;
  Scheme scheme_;
  std::vector<Sentence> sentences_;
  Sentence current_;
  std::size_t first_labelled_ = 0;
  std::size_t first_unlabelled_ = 0;
  std::string first_prefixed_;
  std::string first_bare_;
  std::size_t prefixed_line_ = 0;
  std::size_t bare_line_ = 0;
};

// A field that reads back as itself: non-empty, without whitespace.
void check_field(const std::string& field,
                 const char* what,
                 std::size_t sentence,
                 std::size_t word) {
  if (field.empty() || field.find_first_of(" \t\r\n") != std::string::npos ||
      field == kDocStart) {
    fail(
        "write_column_file: sentence {}, word {}: {} '{}' cannot be "
        "written; expected non-empty text without whitespace",
        sentence,
        word,
        what,
        field);
  }
}

std::string format_sentences(const std::vector<Sentence>& sentences) {
  std::string out;
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    const Sentence& sentence = sentences[s];
    if (sentence.labelled() != sentences[0].labelled() ||
        (sentence.labelled() && sentence.labels.size() != sentence.size())) {
      fail(
          "write_column_file: sentence {} has {} labels for {} words; "
          "expected one label per word in every sentence or none in any",
          s,
          sentence.labels.size(),
          sentence.size());
    }
    if (s > 0) out += '\n';
    for (std::size_t w = 0; w < sentence.size(); ++w) {
      check_field(sentence.words[w], "word", s, w);
      out += sentence.words[w];
      if (sentence.labelled()) {
        check_field(sentence.labels[w], "label", s, w);
        out += '\t';
        out += sentence.labels[w];
      }
      out += '\n';
    }
  }
  return out;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void write_gzip(const std::string& path, const std::string& text) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr) {
    fail("{}: cannot open for writing: {}", path, std::strerror(errno));
  }
  int written =
      text.empty()
          ? 0
          : gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
  bool closed = gzclose(file) == Z_OK;
  if (written != static_cast<int>(text.size()) || !closed) {
    fail("{}: write failed after {} of {} bytes", path, written, text.size());
  }
}

}  // namespace

std::vector<Sentence> read_column_file(const std::string& path,
                                       const ColumnOptions& options) {
  return ColumnReader(path, options).read();
}

std::string to_io(const std::string& label) {
  return io_label(label);
}

void write_column_file(const std::string& path,
                       const std::vector<Sentence>& sentences) {
  std::string text = format_sentences(sentences);
  if (ends_with(path, ".gz")) {
    write_gzip(path, text);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) {
    fail("{}: cannot open for writing: {}", path, std::strerror(errno));
  }
  out << text;
  out.close();
  if (!out) fail("{}: write failed", path);
}

}  // namespace gaussner
