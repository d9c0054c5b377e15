#include "common/csv.hpp"

#include <gtest/gtest.h>

namespace relais::common {
namespace {

TEST(CsvReader, ReadsCommaSeparatedWithQuotesAndLineNumbers) {
  auto table = parse_csv("a,b,c\n1,\"x, y\",3\n\n\"multi\nline\",\"say \"\"hi\"\"\",\n4,5,6\n");
  ASSERT_TRUE(table.ok()) << table.error().message;
  EXPECT_EQ(table->header.separator, ',');
  EXPECT_EQ(table->header.columns, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(table->rows.size(), 3u);
  EXPECT_EQ(table->rows[0].line, 2u);
  EXPECT_EQ(table->rows[0].cells, (std::vector<std::string>{"1", "x, y", "3"}));
  EXPECT_EQ(table->rows[1].line, 4u);  // blank line 3 skipped
  EXPECT_EQ(table->rows[1].cells, (std::vector<std::string>{"multi\nline", "say \"hi\"", ""}));
  EXPECT_EQ(table->rows[2].line, 6u);  // the quoted cell spanned lines 4-5
}

TEST(CsvReader, DetectsSemicolonCrlfAndStripsBom) {
  auto table = parse_csv("\xEF\xBB\xBFPrénom;Nom;Montant\r\nAnaïs;Lefèvre;1 234,56\r\n");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->header.separator, ';');
  EXPECT_EQ(table->header.columns[0], "Prénom");
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].cells, (std::vector<std::string>{"Anaïs", "Lefèvre", "1 234,56"}));
  EXPECT_EQ(table->rows[0].line, 2u);
}

TEST(CsvReader, LastLineWithoutNewline) {
  auto table = parse_csv("a;b\nx;y");
  ASSERT_TRUE(table.ok());
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].cells[1], "y");
}

TEST(CsvReader, StrictQuotingErrorsNameTheLine) {
  auto stray = parse_csv("a,b\n1,2\n3,x\"y\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(stray.error().details["line"], 3);

  auto unterminated = parse_csv("a,b\n1,2\n3,\"open\n4,5\n");
  ASSERT_FALSE(unterminated.ok());
  EXPECT_EQ(unterminated.error().details["line"], 3);
}

TEST(CsvReader, EmptyFileIsAnError) {
  EXPECT_FALSE(parse_csv("").ok());
  EXPECT_FALSE(parse_csv("\xEF\xBB\xBF").ok());
}

TEST(CsvReader, HandlerCanStop) {
  int seen = 0;
  auto header = read_csv("a\n1\n2\n3\n", [&](CsvRow&) { return ++seen < 2; });
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(seen, 2);
}

TEST(CsvReader, SeparatorDetection) {
  EXPECT_EQ(detect_separator("a,b,c\n"), ',');
  EXPECT_EQ(detect_separator("a;b;\"x,y,z\"\n"), ';');
  EXPECT_EQ(detect_separator("\"a;b\",c\n"), ',');
  EXPECT_EQ(detect_separator("a\tb\n"), '\t');
  EXPECT_EQ(detect_separator("single\n"), ',');
}

TEST(CsvWriter, QuotesOnlyWhenNeededAndGuardsFormulas) {
  std::string out;
  CsvWriter writer([&](std::string_view s) { out.append(s); });
  writer.write_row({"plain", "a,b", "say \"hi\"", "two\nlines", " pad", ""});
  writer.write_row({"=HYPERLINK(\"x\")", "+33 6 12", "-12.5", "@SUM(A1)", "-x", "42"});
  EXPECT_EQ(out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\r\n"
            "\"'=HYPERLINK(\"\"x\"\")\",'+33 6 12,-12.5,'@SUM(A1),'-x,42\r\n");
}

TEST(CsvWriter, RoundTripsThroughTheReader) {
  std::string out;
  CsvWriter writer([&](std::string_view s) { out.append(s); }, ';');
  std::vector<std::string> row = {"Société Générale", "x;y", "é\"\n\"", "12"};
  writer.write_row({"h1", "h2", "h3", "h4"});
  writer.write_row(row);
  auto table = parse_csv(out);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->header.separator, ';');
  ASSERT_EQ(table->rows.size(), 1u);
  EXPECT_EQ(table->rows[0].cells, row);
}

}  // namespace
}  // namespace relais::common
