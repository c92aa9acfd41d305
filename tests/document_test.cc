#include "io/document.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "io/document_split.h"
#include "io/funsd.h"
#include "test_util.h"
#include "util/error.h"

namespace gaussner {
namespace {

TEST(Document, NormaliseBoxScalesRoundsAndValidates) {
  struct Good {
    PageBox raw;
    double width, height;
    Box expected;
  };
  const std::vector<Good> good = {
      {{0, 0, 762, 1000}, 762, 1000, {0, 0, 1000, 1000}},
      {{85, 527, 148, 542}, 762, 1000, {112, 527, 194, 542}},  // 111.5 -> 112
      {{10.4, 0, 20.6, 0}, 1000, 500, {10, 0, 21, 0}},
      {{0, 0, 855, 1109}, 850, 1100, {0, 0, 1000, 1000}},  // <1% past: clamp
  };
  for (const auto& g : good) {
    EXPECT_EQ(normalise_box(g.raw, g.width, g.height, "here"), g.expected);
  }

  struct Bad {
    PageBox raw;
    double width, height;
    std::string needle;
  };
  const std::vector<Bad> bad = {
      {{-1, 0, 5, 5}, 100, 100, "box [-1, 0, 5, 5] has a negative"},
      {{0, -0.5, 5, 5}, 100, 100, "negative coordinate"},
      {{6, 0, 5, 5}, 100, 100, "box [6, 0, 5, 5] is inverted"},
      {{0, 9, 5, 5}, 100, 100, "inverted"},
      {{0, 0, 102, 5}, 100, 100, "lies outside the 100 x 100 page"},
      {{0, 0, 5, 500}, 100, 100, "outside"},
      {{0, 0, 5, 5}, 0, 100, "page size 0 x 100"},
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b.needle);
    EXPECT_THROW_WITH(
        normalise_box(b.raw, b.width, b.height, "f.json: entity 3 word 1"),
        b.needle);
    EXPECT_THROW_WITH(
        normalise_box(b.raw, b.width, b.height, "f.json: entity 3 word 1"),
        "f.json: entity 3 word 1");
  }
}

// A small form in FUNSD's layout: a header, a question with its answer (one
// blank word inside), and an "other" footer.
const char* kForm = R"({"form": [
 {"id": 0, "label": "header", "words": [
   {"text": "REGISTRATION", "box": [100, 50, 300, 80]},
   {"text": "FORM", "box": [310, 50, 400, 80]}]},
 {"id": 1, "label": "question", "words": [
   {"text": "Name:", "box": [50, 150, 120, 170]}]},
 {"id": 2, "label": "answer", "words": [
   {"text": "Ada", "box": [130, 150, 180, 170]},
   {"text": " ", "box": [185, 150, 190, 170]},
   {"text": "Lovelace", "box": [195, 150, 300, 170]}]},
 {"id": 3, "label": "other", "words": [
   {"text": "page", "box": [700, 950, 740, 990]}]}]})";

std::string write_file(const std::string& name, const std::string& text) {
  std::string path = testing::temp_path(name);
  std::ofstream(path) << text;
  return path;
}

TEST(Document, ReadsFunsdFormWithPageSizes) {
  std::string path = write_file("form7.json", kForm);
  FunsdOptions explicit_size;
  explicit_size.page_width = 800;
  explicit_size.page_height = 1000;
  Document doc = read_funsd(path, explicit_size);
  EXPECT_EQ(doc.id, "form7");
  EXPECT_EQ(doc.words,
            (std::vector<std::string>{
                "REGISTRATION", "FORM", "Name:", "Ada", "Lovelace", "page"}));
  EXPECT_EQ(doc.labels,
            (std::vector<std::string>{
                "header", "header", "question", "answer", "answer", "O"}));
  EXPECT_EQ(doc.entity, (std::vector<int>{0, 0, 1, 2, 2, 3}));
  EXPECT_EQ(doc.boxes[4], (Box{244, 150, 375, 170}));
  EXPECT_EQ(doc.raw_boxes[4].x1, 300);

  // the size table (LayoutLM *_image.txt line and plain line) wins over the
  // estimate; without either, FUNSD's height 1000 and width >= 754
  std::string table = write_file(
      "sizes.txt",
      "Name:\t50 150 120 170\t762 1000\tform7.png\nother 900 1200\n");
  PageSizes sizes = read_page_sizes(table);
  EXPECT_EQ(sizes.at("form7"), std::make_pair(762.0, 1000.0));
  FunsdOptions from_table;
  from_table.sizes = &sizes;
  from_table.keep_other = true;
  doc = read_funsd(path, from_table);
  EXPECT_EQ(doc.page_width, 762);
  EXPECT_EQ(doc.boxes[4], (Box{256, 150, 394, 170}));
  EXPECT_EQ(doc.labels.back(), "other");
  doc = read_funsd(path);
  EXPECT_EQ(doc.page_width, kFunsdMinPageWidth);
  EXPECT_EQ(doc.page_height, kFunsdPageHeight);

  EXPECT_THROW_WITH(read_page_sizes(write_file("t.txt", "a 1 2\na 1 3\n")),
                    "t.txt:2: \"a\" is 1 x 3 here but 1 x 2 earlier");
  EXPECT_THROW_WITH(read_page_sizes(write_file("u.txt", "a 1\n")), "u.txt:1");
  FunsdOptions half;
  half.page_width = 800;
  EXPECT_THROW_WITH(read_funsd(path, half), "give both width and height");
}

TEST(Document, BadFunsdFilesNameEntityAndWord) {
  struct Case {
    std::string text;
    std::string needle;
  };
  const std::string ok_word = R"({"text": "a", "box": [1, 1, 5, 5]})";
  auto entity = [](const std::string& body) {
    return R"({"form": [{"label": "question", "words": [{"text": "q", )"
           R"("box": [1, 1, 5, 5]}]}, )" +
           body + "]}";
  };
  const std::vector<Case> cases = {
      {R"({"form": [)", "malformed JSON"},
      {R"({"forms": []})", "expected an object with a \"form\" array"},
      {entity(R"({"label": "answer"})"),
       "entity 1: expected a non-empty \"words\" array"},
      {entity(R"({"label": "answer", "words": []})"), "entity 1"},
      {entity(R"({"words": [)" + ok_word + "]}"),
       "entity 1: missing or non-string \"label\""},
      {entity(R"({"label": "signature", "words": [)" + ok_word + "]}"),
       "entity 1: label \"signature\"; expected header, question"},
      {entity(R"({"label": "answer", "words": [)" + ok_word +
              R"(, {"text": "b"}]})"),
       "entity 1 word 1: expected {\"text\": string"},
      {entity(R"({"label": "answer", "words": [)" + ok_word +
              R"(, {"text": "b", "box": [9, 1, 5, 5]}]})"),
       "entity 1 word 1 (\"b\"): box [9, 1, 5, 5] is inverted"},
      {entity(R"({"label": "answer", "words": [)" + ok_word +
              R"(, {"text": "b", "box": [1, -2, 5, 5]}]})"),
       "entity 1 word 1 (\"b\"): box [1, -2, 5, 5] has a negative"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    std::string path = write_file("bad.json", c.text);
    EXPECT_THROW_WITH(read_funsd(path), c.needle);
    EXPECT_THROW_WITH(read_funsd(path), "bad.json");
  }
  // a box past the page named with the page size
  std::string path =
      write_file("wide.json",
                 entity(R"({"label": "answer", "words": [)" + ok_word +
                        R"(, {"text": "b", "box": [1, 1, 900, 5]}]})"));
  FunsdOptions size;
  size.page_width = 762;
  size.page_height = 1000;
  EXPECT_THROW_WITH(read_funsd(path, size),
                    "entity 1 word 1 (\"b\"): box [1, 1, 900, 5] lies "
                    "outside the 762 x 1000 page");
  std::string empty = testing::temp_path("empty_dir");
  std::filesystem::create_directories(empty);
  EXPECT_THROW_WITH(read_funsd_folder(empty), "no *.json FUNSD files");
  EXPECT_THROW_WITH(read_funsd_folder(empty + "/none"), "not a folder");
}

TEST(Document, DocumentFileRoundTripAndErrors) {
  Document doc;
  doc.id = "inv-1";
  doc.page_width = 850;
  doc.page_height = 1100;
  doc.words = {"Invoice", "No.", "4711"};
  doc.raw_boxes = {
      {50, 40, 200, 70}, {60, 100, 95, 115}, {100, 100, 140.5, 115}};
  for (const auto& b : doc.raw_boxes) {
    doc.boxes.push_back(normalise_box(b, 850, 1100, "test"));
  }
  doc.labels = {"header", "question", "answer"};
  std::string path = testing::temp_path("docs.jsonl");
  write_documents(path, {doc, doc});
  EXPECT_THROW_WITH(read_documents(path), "docs.jsonl:2: id: document id");

  Document other = doc;
  other.id = "inv-2";
  other.labels.clear();
  write_documents(path, {doc, other});
  std::vector<Document> back = read_documents(path);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].words, doc.words);
  EXPECT_EQ(back[0].boxes, doc.boxes);
  EXPECT_EQ(back[0].raw_boxes[2].x1, 140.5);
  EXPECT_EQ(back[0].labels, doc.labels);
  EXPECT_FALSE(back[1].labelled());
  EXPECT_EQ(back[1].page_height, 1100);

  const std::string page = R"("page": [100, 100], )";
  const std::string words = R"("words": ["a", "b"], )";
  const std::string boxes = R"("boxes": [[0, 0, 5, 5], [6, 0, 9, 5]])";
  struct Case {
    std::string line;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"{", "bad.jsonl:3: JSON: malformed"},
      {R"({"page": [1, 1]})", "bad.jsonl:3: id: expected a non-empty string"},
      {R"({"id": "d", )" + words + boxes + "}", "page: missing field"},
      {R"({"id": "d", "page": [100], )" + words + boxes + "}",
       "page: expected [width, height]"},
      {R"({"id": "d", )" + page + boxes + "}", "words: missing field"},
      {R"({"id": "d", )" + page + R"("words": ["a", " "], )" + boxes + "}",
       "words[1]: expected a non-blank string"},
      {R"({"id": "d", )" + page + words + R"("boxes": [[0, 0, 5, 5]]})",
       "boxes: 1 boxes for 2 words"},
      {R"({"id": "d", )" + page + words +
           R"("boxes": [[0, 0, 5, 5], [0, 0, 5]]})",
       "boxes[1]: expected [x0, y0, x1, y1]"},
      {R"({"id": "d", )" + page + words +
           R"("boxes": [[0, 0, 5, 5], [9, 0, 5, 5]]})",
       "bad.jsonl:3: document \"d\": word 1 (\"b\"): box [9, 0, 5, 5] is "
       "inverted"},
      {R"({"id": "d", )" + page + words +
           R"("boxes": [[0, 0, 5, 5], [0, 0, 5, 150]]})",
       "word 1 (\"b\"): box [0, 0, 5, 150] lies outside"},
      {R"({"id": "d", )" + page + words + boxes + R"(, "labels": ["O"]})",
       "labels: 1 labels for 2 words"},
      {R"({"id": "d", )" + page + words + boxes + R"(, "entity": [0, -2]})",
       "entity[1]: expected an integer >= -1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    EXPECT_THROW_WITH(parse_document(c.line, "bad.jsonl", 3), c.needle);
  }
}

// Two rows of a form, the second with a far-away field, and a paragraph.
Document sample_page() {
  Document doc;
  doc.id = "p";
  doc.page_width = 1000;
  doc.page_height = 1000;
  auto add = [&](const char* word, int x0, int y0, int x1, int y1) {
    doc.words.push_back(word);
    doc.boxes.push_back({x0, y0, x1, y1});
    doc.labels.push_back(word[0] == '#' ? "answer" : "O");
  };
  add("Name", 50, 100, 100, 120);
  add("of", 105, 101, 125, 121);
  add("applicant", 130, 99, 220, 119);
  add("#Ada", 600, 100, 650, 120);  // far right: a new line
  add("Date", 50, 200, 100, 220);
  add("#1/2", 110, 200, 160, 220);
  for (int i = 0; i < 9; ++i) add("word", 50 + 60 * i, 300, 100 + 60 * i, 320);
  return doc;
}

TEST(Document, SplitsIntoLinesAndWindowsAndReassembles) {
  Document doc = sample_page();
  std::vector<std::pair<int, int>> lines = document_lines(doc);
  EXPECT_EQ(
      lines,
      (std::vector<std::pair<int, int>>{{0, 3}, {3, 4}, {4, 6}, {6, 15}}));

  for (int max_words : {1, 3, 4, 5, 64}) {
    SCOPED_TRACE(max_words);
    SplitOptions options;
    options.max_words = max_words;
    std::vector<Sentence> windows = split_document(doc, options);
    std::vector<std::string> words;
    std::vector<std::vector<std::string>> predictions;
    for (const auto& w : windows) {
      EXPECT_LE(static_cast<int>(w.size()), max_words);
      EXPECT_EQ(w.source, "p:" + std::to_string(words.size()));
      EXPECT_EQ(w.boxes.front(), doc.boxes[words.size()]);
      EXPECT_EQ(w.labels.size(), w.size());
      words.insert(words.end(), w.words.begin(), w.words.end());
      predictions.push_back(w.labels);
    }
    EXPECT_EQ(words, doc.words);  // nothing lost, order kept
    // windows may come back in any order
    std::reverse(windows.begin(), windows.end());
    std::reverse(predictions.begin(), predictions.end());
    EXPECT_EQ(reassemble(doc, windows, predictions), doc.labels);
  }
  SplitOptions four;
  four.max_words = 4;
  std::vector<Sentence> windows = split_document(doc, four);
  // whole lines while they fit: [0,4) [4,6), then the 9-word line is cut
  ASSERT_EQ(windows.size(), 5u);
  EXPECT_EQ(windows[1].source, "p:4");
  EXPECT_EQ(windows[2].source, "p:6");
  EXPECT_EQ(windows[4].source, "p:14");

  std::vector<std::vector<std::string>> predictions;
  for (const auto& w : windows) predictions.push_back(w.labels);
  auto missing = windows;
  missing.erase(missing.begin() + 1);
  auto fewer = predictions;
  fewer.erase(fewer.begin() + 1);
  EXPECT_THROW_WITH(reassemble(doc, missing, fewer),
                    "window \"p:6\" starts at word 6; expected word 4");
  EXPECT_THROW_WITH(reassemble(doc, windows, fewer), "5 windows but 4");
  Document other = doc;
  other.id = "q";
  EXPECT_THROW_WITH(reassemble(other, windows, predictions),
                    "is not a part of document \"q\"");
  predictions[0].pop_back();
  EXPECT_THROW_WITH(reassemble(doc, windows, predictions), "window 0");
  four.max_words = 0;
  EXPECT_THROW_WITH(split_document(doc, four), "max_words 0");
}

TEST(Document, BundledExampleFormsSplitByLine) {
  std::vector<Document> docs =
      read_documents(testing::source_dir() + "/data/docs/example_forms.jsonl");
  ASSERT_EQ(docs.size(), 4u);
  for (const Document& doc : docs) {
    ASSERT_TRUE(doc.labelled());
    EXPECT_EQ(doc.page_width, 850);
    // a line never mixes a question with its answer (far apart on the page)
    for (const auto& [first, end] : document_lines(doc)) {
      for (int i = first; i < end; ++i) {
        EXPECT_EQ(doc.labels[i], doc.labels[first]) << doc.id << " " << i;
      }
    }
    std::vector<std::string> joined;
    for (const auto& w : split_document(doc)) {
      joined.insert(joined.end(), w.words.begin(), w.words.end());
    }
    EXPECT_EQ(joined, doc.words);
  }
}

TEST(Document, SortsIntoReadingOrder) {
  Document doc = sample_page();
  Document shuffled = doc;
  std::vector<int> order = {14, 3, 0, 7, 5, 1, 9, 2, 4, 6, 8, 10, 11, 12, 13};
  for (std::size_t i = 0; i < order.size(); ++i) {
    shuffled.words[i] = doc.words[order[i]];
    shuffled.boxes[i] = doc.boxes[order[i]];
    shuffled.labels[i] = doc.labels[order[i]];
  }
  sort_reading_order(shuffled);
  EXPECT_EQ(shuffled.words, doc.words);
  EXPECT_EQ(shuffled.boxes, doc.boxes);
  EXPECT_EQ(shuffled.labels, doc.labels);
}

// LayoutLM's preprocessed FUNSD, word by word per image: (word, label, box).
struct LayoutLmWord {
  std::string word, label;
  Box box;
};

std::map<std::string, std::vector<LayoutLmWord>> read_layoutlm(
    const std::string& dir, const std::string& split) {
  std::ifstream text(dir + "/" + split + ".txt");
  std::ifstream boxes(dir + "/" + split + "_box.txt");
  std::ifstream images(dir + "/" + split + "_image.txt");
  std::map<std::string, std::vector<LayoutLmWord>> out;
  std::string t, b, i;
  while (std::getline(text, t) && std::getline(boxes, b) &&
         std::getline(images, i)) {
    if (t.empty()) continue;
    LayoutLmWord w;
    w.word = t.substr(0, t.find('\t'));
    w.label = t.substr(t.find('\t') + 1);
    if (w.label.size() > 2 && w.label[1] == '-') w.label = w.label.substr(2);
    for (char& c : w.label) c = static_cast<char>(std::tolower(c));
    std::istringstream(b.substr(b.find('\t') + 1)) >> w.box.x0 >> w.box.y0 >>
        w.box.x1 >> w.box.y1;
    std::string image = i.substr(i.rfind('\t') + 1);
    out[image.substr(0, image.rfind('.'))].push_back(w);
  }
  return out;
}

TEST(Document, ReadsRealFunsdLikeLayoutLm) {
  GAUSSNER_REQUIRE_SHARED("data/funsd/layoutlm-format/test_image.txt");
  std::string funsd = testing::shared_dir() + "/data/funsd";
  PageSizes sizes = read_page_sizes(funsd + "/layoutlm-format/train_image.txt");
  for (auto& [name, size] :
       read_page_sizes(funsd + "/layoutlm-format/test_image.txt")) {
    sizes[name] = size;
  }
  EXPECT_EQ(sizes.size(), 199u);
  FunsdOptions options;
  options.sizes = &sizes;
  auto reference = read_layoutlm(funsd + "/layoutlm-format", "train");
  for (auto& entry : read_layoutlm(funsd + "/layoutlm-format", "test")) {
    reference.insert(std::move(entry));
  }

  std::size_t words = 0, documents = 0, windows = 0;
  for (const char* split : {"training_data", "testing_data"}) {
    for (const Document& doc :
         read_funsd_folder(funsd + "/" + split + "/annotations", options)) {
      const auto& ref = reference.at(doc.id);
      ASSERT_EQ(doc.size(), ref.size()) << doc.id;
      for (std::size_t i = 0; i < doc.size(); ++i) {
        ASSERT_EQ(doc.words[i], ref[i].word) << doc.id << " word " << i;
        ASSERT_EQ(doc.labels[i], ref[i].label == "o" ? "O" : ref[i].label);
        // LayoutLM truncates where gaussner rounds
        const Box& a = doc.boxes[i];
        const Box& r = ref[i].box;
        ASSERT_LE(std::abs(a.x0 - r.x0) + std::abs(a.y0 - r.y0) +
                      std::abs(a.x1 - r.x1) + std::abs(a.y1 - r.y1),
                  4)
            << doc.id << " word " << i;
      }
      std::vector<std::string> joined;
      for (const auto& w : split_document(doc)) {
        joined.insert(joined.end(), w.words.begin(), w.words.end());
        ++windows;
      }
      ASSERT_EQ(joined, doc.words) << doc.id;
      words += doc.size();
      ++documents;
    }
  }
  // README: 31,485 words in 199 forms, 890 of them blank
  EXPECT_EQ(documents, 199u);
  EXPECT_EQ(words, 31485u - 890u);
  EXPECT_GT(windows, documents);
}

}  // namespace
}  // namespace gaussner
