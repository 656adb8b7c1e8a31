#include "line_diff.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>

namespace arkwiki {
namespace {

// Renders a diff as " x", "+x", "-x" lines, for readable expectations.
std::string Show(const std::vector<DiffLine>& diff) {
  std::string out;
  for (const DiffLine& line : diff) {
    out += line.kind == DiffLine::kSame ? ' ' : line.kind == DiffLine::kAdded ? '+' : '-';
    out += line.text;
    out += '\n';
  }
  return out;
}

// Rebuilds one side: `added` true for b, false for a.
std::string Side(const std::vector<DiffLine>& diff, bool added) {
  std::string out;
  for (const DiffLine& line : diff) {
    if (line.kind == DiffLine::kSame || (line.kind == DiffLine::kAdded) == added) {
      out += line.text + "\n";
    }
  }
  return out;
}

size_t Changes(const std::vector<DiffLine>& diff) {
  size_t n = 0;
  for (const DiffLine& line : diff) n += line.kind != DiffLine::kSame;
  return n;
}

// Length of the longest common subsequence, by dynamic programming.
size_t Lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace

TEST(LineDiffTest, IdenticalTextsAreAllSame) {
  EXPECT_EQ(Show(DiffLines("a\nb\n", "a\nb\n")), " a\n b\n");
  EXPECT_TRUE(DiffLines("", "").empty());
}

TEST(LineDiffTest, ReportsAddedAndRemovedLines) {
  EXPECT_EQ(Show(DiffLines("a\nb\nc\n", "a\nc\nd\n")), " a\n-b\n c\n+d\n");
  EXPECT_EQ(Show(DiffLines("", "x\n")), "+x\n");
  EXPECT_EQ(Show(DiffLines("x\n", "")), "-x\n");
}

TEST(LineDiffTest, ListsRemovalsBeforeAdditionsInAChange) {
  EXPECT_EQ(Show(DiffLines("a\nold1\nold2\nz\n", "a\nnew1\nnew2\nz\n")),
            " a\n-old1\n-old2\n+new1\n+new2\n z\n");
}

TEST(LineDiffTest, IgnoresCarriageReturnsAndFinalNewline) {
  EXPECT_EQ(Show(DiffLines("a\r\nb\r\n", "a\nb")), " a\n b\n");
}

TEST(LineDiffTest, FindsAShortestEditScriptOnRandomInputs) {
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> a, b;
    int na = rng() % 12, nb = rng() % 12;
    for (int i = 0; i < na; ++i) a.push_back(std::string(1, 'a' + rng() % 4));
    for (int i = 0; i < nb; ++i) b.push_back(std::string(1, 'a' + rng() % 4));
    std::vector<DiffLine> diff = DiffLines(Join(a), Join(b));
    ASSERT_EQ(Side(diff, false), Join(a));
    ASSERT_EQ(Side(diff, true), Join(b));
    ASSERT_EQ(Changes(diff), a.size() + b.size() - 2 * Lcs(a, b)) << Show(diff);
  }
}

TEST(LineDiffTest, FallsBackToReplaceWhenTextsDifferTooMuch) {
  std::string a, b;
  for (int i = 0; i < 5000; ++i) {
    a += "a" + std::to_string(i) + "\n";
    b += "b" + std::to_string(i) + "\n";
  }
  std::string a_full = "head\n" + a + "tail\n";
  std::string b_full = "head\n" + b + "tail\n";
  auto start = std::chrono::steady_clock::now();
  std::vector<DiffLine> diff = DiffLines(a_full, b_full);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  ASSERT_EQ(diff.size(), 10002u);
  EXPECT_EQ(diff.front(), (DiffLine{DiffLine::kSame, "head"}));
  EXPECT_EQ(diff[1].kind, DiffLine::kRemoved);
  EXPECT_EQ(diff[5001].kind, DiffLine::kAdded);
  EXPECT_EQ(diff.back(), (DiffLine{DiffLine::kSame, "tail"}));
  EXPECT_EQ(Side(diff, false), a_full);
  EXPECT_EQ(Side(diff, true), b_full);
}

TEST(LineDiffTest, SmallEditsInAHugePageStayExact) {
  std::string a, b;
  for (int i = 0; i < 200000; ++i) {
    std::string line = "line " + std::to_string(i) + "\n";
    a += line;
    b += (i % 1000 == 0) ? "changed " + std::to_string(i) + "\n" : line;
  }
  std::vector<DiffLine> diff = DiffLines(a, b);
  EXPECT_EQ(Changes(diff), 400u);
  EXPECT_EQ(Side(diff, true), b);
}

}  // namespace arkwiki
