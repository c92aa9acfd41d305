#include "io/column_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "eval/spans.h"
#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

using Strings = std::vector<std::string>;

std::string write_text(const std::string& name, const std::string& text) {
  std::string path = testing::temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// Expected sentence: words, IO labels and the line of its first word.
struct Expected {
  Strings words;
  Strings labels;
  int line;
};

struct ReadCase {
  std::string what;
  std::string text;
  ColumnOptions options;
  std::vector<Expected> sentences;
};

ColumnOptions with(int word, int label, const std::string& scheme) {
  ColumnOptions options;
  options.word_column = word;
  options.label_column = label;
  options.scheme = scheme;
  return options;
}

TEST(ColumnFile, ReadsTheFormatsOfTheFamily) {
  ColumnOptions unlabelled;
  unlabelled.require_labels = false;
  std::vector<ReadCase> cases = {
      {"tab IO, whitespace-only separators (wnut17 train), CRLF",
       "Paris\tlocation-GPE\r\nis\tO\n\t\nJoe\tperson-other\n   \n\n"
       "Anne\tperson-other\nMarie\tperson-other",
       {},
       {{{"Paris", "is"}, {"location-GPE", "O"}, 1},
        {{"Joe"}, {"person-other"}, 4},
        {{"Anne", "Marie"}, {"person-other", "person-other"}, 7}}},
      {"space CoNLL-2003 style, DOCSTART and its blank line skipped",
       "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
       "\n-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\n",
       {},
       {{{"EU", "rejects"}, {"ORG", "O"}, 3}, {{"Peter"}, {"PER"}, 8}}},
      {"DOCSTART without a blank line before still ends the sentence",
       "a\tO\n-DOCSTART-\tO\nb\tO\n",
       {},
       {{{"a"}, {"O"}, 1}, {{"b"}, {"O"}, 3}}},
      {"label in the first column, starts with a blank line (GUM)",
       "\nB-PER John\nI-PER Smith\nO runs\n",
       with(1, 0, "bio"),
       {{{"John", "Smith", "runs"}, {"PER", "PER", "O"}, 2}}},
      {"BIO: adjacent B-X B-X stay separate tags, both map to X",
       "a\tB-X\nb\tB-X\nc\tI-X\nd\tO\ne\tB-Y\n",
       with(0, -1, "bio"),
       {{{"a", "b", "c", "d", "e"}, {"X", "X", "X", "O", "Y"}, 1}}},
      {"BIOES",
       "a\tS-X\nb\tB-Y\nc\tI-Y\nd\tE-Y\ne\tO\n",
       with(0, -1, "bioes"),
       {{{"a", "b", "c", "d", "e"}, {"X", "Y", "Y", "Y", "O"}, 1}}},
      {"IO with I- prefixes under an explicit io scheme",
       "a\tI-X\nb\tO\nc\tI-Y\n",
       with(0, -1, "io"),
       {{{"a", "b", "c"}, {"X", "O", "Y"}, 1}}},
      {"tab-separated fields may hold spaces (FUNSD box column)",
       "DATE:\t185 186 237 200\tS-QUESTION\n",
       with(0, 2, "bioes"),
       {{{"DATE:"}, {"QUESTION"}, 1}}},
      {"word column from the end, spaces around tab fields",
       "x y \t word \tO\n",
       with(-2, -1, "auto"),
       {{{"word"}, {"O"}, 1}}},
      {"unlabelled words when labels are not required",
       "one\ntwo\n\nthree\n",
       unlabelled,
       {{{"one", "two"}, {}, 1}, {{"three"}, {}, 4}}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].what);
    std::string path = write_text("in" + std::to_string(i), cases[i].text);
    std::vector<Sentence> got = read_column_file(path, cases[i].options);
    ASSERT_EQ(got.size(), cases[i].sentences.size());
    for (std::size_t s = 0; s < got.size(); ++s) {
      const Expected& want = cases[i].sentences[s];
      EXPECT_EQ(got[s].words, want.words);
      EXPECT_EQ(got[s].labels, want.labels);
      EXPECT_EQ(got[s].source, path + ":" + std::to_string(want.line));
    }
  }
}

struct BadCase {
  std::string text;
  ColumnOptions options;
  std::string needle;  // after "path:" in the message
};

TEST(ColumnFile, BadInputNamesFileLineAndValue) {
  LabelSet per({"PER"});
  ColumnOptions in_set;
  in_set.labels = &per;
  ColumnOptions unlabelled;
  unlabelled.require_labels = false;
  std::vector<BadCase> cases = {
      {"John\tB-PER\nMary\n", {}, "2: too few columns (1) in line 'Mary'"},
      {"John\tB-PER\n\t\tO\n", {}, "2: empty word in column 0"},
      {"a b c\n", with(0, 3, "auto"), "1: too few columns (3)"},
      {"a\tB-PER\nb\tE-PER\n",
       with(0, -1, "bio"),
       "2: tag 'E-PER' does not fit scheme bio; expected O, B-<type> or "
       "I-<type>"},
      {"a\tPER\n", with(0, -1, "bio"), "1: tag 'PER' does not fit scheme bio"},
      {"a\tB-PER\n",
       with(0, -1, "io"),
       "1: tag 'B-PER' does not fit scheme io"},
      {"a\tPER\n", with(0, -1, "bioes"), "1: tag 'PER' does not fit scheme"},
      {"a\tO\nb\tB-\n", with(0, -1, "bio"), "2: malformed tag 'B-'"},
      {"a\tB-\n", {}, "1: malformed tag 'B-'"},
      {"a\tB-O\n", {}, "1: malformed tag 'B-O'"},
      {"a\tB-PER\n\nb\tO\nc\tPER\n",
       {},
       "4: tag 'PER' mixes tag schemes: line 1 has the prefixed tag 'B-PER' "
       "but line 4 has the bare type 'PER'"},
      {"a\tB-PER\nb\tI-PER\nc\tB-LOC\n",
       in_set,
       "3 (tag 'B-LOC'): unknown label 'LOC'; known labels: O, PER"},
      {"a\tMISC\n", in_set, "1: unknown label 'MISC'; known labels: O, PER"},
      {"a\tO\nb\n", unlabelled, "2: line 2 has no label column but line 1"},
      {"a\nb\tO\n", unlabelled, "2: line 1 has no label column but line 2"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string path = write_text("bad" + std::to_string(i), cases[i].text);
    EXPECT_THROW_WITH(read_column_file(path, cases[i].options),
                      path + ":" + cases[i].needle);
  }

  std::string fine = write_text("fine", "a\tO\n");
  EXPECT_THROW_WITH(read_column_file(fine, with(0, -1, "iob")),
                    "ColumnOptions.scheme: 'iob' is not a tag scheme");
  EXPECT_THROW_WITH(read_column_file(fine, with(1, 1, "auto")),
                    "word_column and label_column are both 1");
  EXPECT_THROW_WITH(read_column_file("/nonexistent/x.conll"),
                    "/nonexistent/x.conll");
}

TEST(ColumnFile, ToIoAndWriteRoundTripPlainAndGzip) {
  EXPECT_EQ(to_io("B-PER"), "PER");
  EXPECT_EQ(to_io("I-person-actor"), "person-actor");
  EXPECT_EQ(to_io("E-X"), "X");
  EXPECT_EQ(to_io("S-X"), "X");
  EXPECT_EQ(to_io("O"), "O");
  EXPECT_EQ(to_io("location-GPE"), "location-GPE");
  EXPECT_EQ(to_io("Bx-PER"), "Bx-PER");
  EXPECT_THROW_WITH(to_io("I-"), "tag 'I-' is malformed");
  EXPECT_THROW_WITH(to_io(""), "tag '' is malformed");

  std::vector<Sentence> sentences = {
      {{"Zoë", "visits", "Kraków"}, {"person", "O", "location"}, {}, ""},
      {{"ok"}, {"O"}, {}, ""}};
  for (std::string name : {"out.txt", "out.txt.gz"}) {
    std::string path = testing::temp_path(name);
    write_column_file(path, sentences);
    std::vector<Sentence> back = read_column_file(path);
    ASSERT_EQ(back.size(), 2u) << name;
    EXPECT_EQ(back[0].words, sentences[0].words);
    EXPECT_EQ(back[0].labels, sentences[0].labels);
    EXPECT_EQ(back[1].words, sentences[1].words);
    EXPECT_EQ(back[1].source, path + ":5");
  }
  // The gzip file really is gzip (magic bytes), not plain text.
  std::ifstream gz(testing::temp_path("out.txt.gz"), std::ios::binary);
  EXPECT_EQ(gz.get(), 0x1f);
  EXPECT_EQ(gz.get(), 0x8b);

  std::string out = testing::temp_path("bad.txt");
  Sentence spaced{{"New York"}, {"location"}, {}, ""};
  EXPECT_THROW_WITH(write_column_file(out, {spaced}),
                    "sentence 0, word 0: word 'New York' cannot be written");
  Sentence short_labels{{"a", "b"}, {"O"}, {}, ""};
  EXPECT_THROW_WITH(write_column_file(out, {short_labels}),
                    "sentence 0 has 1 labels for 2 words");
  Sentence unlabelled{{"a"}, {}, {}, ""};
  EXPECT_THROW_WITH(write_column_file(out, {sentences[1], unlabelled}),
                    "sentence 1 has 0 labels for 1 words");
  EXPECT_THROW_WITH(write_column_file("/nonexistent/dir/out.txt", sentences),
                    "/nonexistent/dir/out.txt: cannot open for writing");
}

struct FileCounts {
  std::size_t sentences = 0;
  std::size_t words = 0;
  std::size_t spans = 0;
};

FileCounts count_file(const std::string& path, const ColumnOptions& options) {
  FileCounts counts;
  for (const Sentence& sentence : read_column_file(path, options)) {
    ++counts.sentences;
    counts.words += sentence.size();
    counts.spans += extract_spans(sentence.labels).size();
  }
  return counts;
}

// The expected numbers were computed independently of gaussner with awk,
// counting non-blank lines and maximal runs of one non-O label after
// stripping a B-/I- prefix (a whitespace-only line ends a sentence):
//   awk -F'\t' 'function end(){if(n)s++; n=0; p="O"}
//     /^[ \t]*$/{end(); next}
//     {n++; t++; l=$NF; sub(/^[BIES]-/,"",l); if(l!="O" && l!=p) e++; p=l}
//     END{end(); print s, t, e}' FILE
// few-nerd/inter/dev.txt: 18817 426011 34830 (as its README states);
// wnut17/wnut17train.conll: 3394 62730 1959 (1975 B- tags: 16 pairs of
// adjacent same-type entities merge in IO).
TEST(ColumnFile, ReadsSharedCorpora) {
  GAUSSNER_REQUIRE_SHARED("data/few-nerd/inter/dev.txt");
  GAUSSNER_REQUIRE_SHARED("data/wnut17/wnut17train.conll");
  std::string data = testing::shared_dir() + "/data/";

  LabelSet dev_types = LabelSet::from_file(
      data + "few-nerd/labels/container/inter/labels_dev.txt");
  ColumnOptions io = with(0, -1, "io");
  io.labels = &dev_types;
  FileCounts few_nerd = count_file(data + "few-nerd/inter/dev.txt", io);
  EXPECT_EQ(few_nerd.sentences, 18817u);
  EXPECT_EQ(few_nerd.words, 426011u);
  EXPECT_EQ(few_nerd.spans, 34830u);

  LabelSet wnut_types = LabelSet::from_file(
      data + "wnut17/container-support-sets/labels-wnut.txt");
  ColumnOptions bio = with(0, -1, "bio");
  bio.labels = &wnut_types;
  FileCounts wnut = count_file(data + "wnut17/wnut17train.conll", bio);
  EXPECT_EQ(wnut.sentences, 3394u);
  EXPECT_EQ(wnut.words, 62730u);
  EXPECT_EQ(wnut.spans, 1959u);
}

}  // namespace
}  // namespace gaussner
