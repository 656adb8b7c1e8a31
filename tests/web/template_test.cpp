#include "template.h"

#include <gtest/gtest.h>

namespace arkwiki {
namespace {

// Compiles `source` as "t" and renders it with `data`; fails the test on error.
std::string Render(std::string_view source, const TemplateValue& data) {
  TemplateSet set;
  Status added = set.Add("t", source);
  EXPECT_TRUE(added.ok()) << added.ToString();
  Result<std::string> out = set.Render("t", data);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "<error>";
}

Status ParseError(std::string_view source) {
  TemplateSet set;
  return set.Add("bad", source);
}

}  // namespace

TEST(TemplateTest, EscapesVariablesByDefault) {
  TemplateValue data = TemplateValue::MakeMap({{"x", R"(<script>alert("1") & 'x'</script>)"}});
  EXPECT_EQ(Render("<p title=\"{{x}}\">{{ x }}</p>", data),
            "<p title=\"&lt;script&gt;alert(&quot;1&quot;) &amp; &#39;x&#39;&lt;/script&gt;\">"
            "&lt;script&gt;alert(&quot;1&quot;) &amp; &#39;x&#39;&lt;/script&gt;</p>");
}

TEST(TemplateTest, TripleBracesAndAmpersandInsertRawHtml) {
  TemplateValue data = TemplateValue::MakeMap({{"html", "<b>bold</b>"}});
  EXPECT_EQ(Render("{{{html}}}|{{& html}}|{{html}}", data),
            "<b>bold</b>|<b>bold</b>|&lt;b&gt;bold&lt;/b&gt;");
}

TEST(TemplateTest, MissingNamesRenderEmpty) {
  EXPECT_EQ(Render("[{{nope}}][{{a.b.c}}]", TemplateValue()), "[][]");
}

TEST(TemplateTest, RendersScalarsOfEveryKind) {
  TemplateValue data;
  data.Set("n", 42).Set("yes", true).Set("no", false).Set("list", TemplateValue::MakeList({"a"}));
  EXPECT_EQ(Render("{{n}} {{yes}} {{no}} [{{list}}]", data), "42 true false []");
}

TEST(TemplateTest, DottedNamesDescendIntoMaps) {
  TemplateValue data;
  data.Set("user", TemplateValue::MakeMap(
                       {{"name", "Ann"}, {"role", TemplateValue::MakeMap({{"title", "Admin"}})}}));
  EXPECT_EQ(Render("{{user.name}} is {{user.role.title}}{{user.missing}}", data), "Ann is Admin");
}

TEST(TemplateTest, SectionsIterateListsAndEnterMaps) {
  TemplateValue data;
  data.Append(TemplateValue());  // make sure a non-map root does not crash lookups
  data = TemplateValue();
  TemplateValue items;
  items.Append(TemplateValue::MakeMap({{"name", "a"}}))
      .Append(TemplateValue::MakeMap({{"name", "b"}}));
  data.Set("items", items).Set("site", "S");
  data.Set("page", TemplateValue::MakeMap({{"title", "T"}}));
  EXPECT_EQ(Render("{{#items}}<{{name}}@{{site}}>{{/items}}", data), "<a@S><b@S>");
  EXPECT_EQ(Render("{{#page}}{{title}}{{/page}}", data), "T");
  EXPECT_EQ(Render("{{#tags}}{{.}},{{/tags}}",
                   TemplateValue::MakeMap({{"tags", TemplateValue::MakeList({"x", "<y>"})}})),
            "x,&lt;y&gt;,");
}

TEST(TemplateTest, SectionsFollowTruthiness) {
  TemplateValue data = TemplateValue::MakeMap({{"t", true},
                                               {"f", false},
                                               {"s", "text"},
                                               {"empty", ""},
                                               {"none", TemplateValue::List()},
                                               {"map", TemplateValue::Map()}});
  EXPECT_EQ(Render("{{#t}}T{{/t}}{{#f}}F{{/f}}{{#s}}[{{.}}]{{/s}}{{#empty}}E{{/empty}}"
                   "{{#none}}N{{/none}}{{#map}}M{{/map}}{{#missing}}X{{/missing}}",
                   data),
            "T[text]M");
}

TEST(TemplateTest, InvertedSectionsShowWhenFalsy) {
  TemplateValue data = TemplateValue::MakeMap(
      {{"t", true}, {"f", false}, {"none", TemplateValue::List()}, {"s", "x"}});
  EXPECT_EQ(
      Render("{{^t}}T{{/t}}{{^f}}F{{/f}}{{^none}}N{{/none}}{{^s}}S{{/s}}{{^missing}}M{{/missing}}",
             data),
      "FNM");
}

TEST(TemplateTest, LookupWalksOutwardThroughContexts) {
  TemplateValue data;
  data.Set("name", "outer").Set("csrf", "tok");
  data.Set("user", TemplateValue::MakeMap({{"name", "inner"}}));
  EXPECT_EQ(Render("{{#user}}{{name}}/{{csrf}}{{/user}} {{name}}", data), "inner/tok outer");
}

TEST(TemplateTest, DottedNameDoesNotFallBackOutwardOnceFirstPartIsFound) {
  TemplateValue data;
  data.Set("a", TemplateValue::MakeMap({{"b", TemplateValue::MakeMap({{"c", "outer"}})}}));
  data.Set("item", TemplateValue::MakeMap({{"a", TemplateValue::MakeMap({{"x", "1"}})}}));
  EXPECT_EQ(Render("{{#item}}[{{a.b.c}}]{{/item}}", data), "[]");
}

TEST(TemplateTest, PartialsRenderWithTheCurrentContext) {
  TemplateSet set;
  ASSERT_TRUE(set.Add("row", "<li>{{name}}</li>").ok());
  ASSERT_TRUE(set.Add("list", "<ul>{{#items}}{{> row}}{{/items}}</ul>").ok());
  TemplateValue data = TemplateValue::MakeMap(
      {{"items", TemplateValue::MakeList({TemplateValue::MakeMap({{"name", "<x>"}})})}});
  Result<std::string> out = set.Render("list", data);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "<ul><li>&lt;x&gt;</li></ul>");
}

TEST(TemplateTest, MissingTemplateOrPartialIsNotFound) {
  TemplateSet set;
  ASSERT_TRUE(set.Add("a", "x{{>nope}}").ok());
  EXPECT_EQ(set.Render("a", TemplateValue()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(set.Render("zzz", TemplateValue()).status().code(), StatusCode::kNotFound);
}

TEST(TemplateTest, RecursivePartialsAreStopped) {
  TemplateSet set;
  ASSERT_TRUE(set.Add("loop", "{{>loop}}").ok());
  EXPECT_EQ(set.Render("loop", TemplateValue()).status().code(), StatusCode::kInvalidArgument);
}

TEST(TemplateTest, CommentsAreDropped) {
  EXPECT_EQ(Render("a{{! a comment with {{braces}\n over lines }}b", TemplateValue()), "ab");
}

TEST(TemplateTest, StandaloneBlockTagsLeaveNoBlankLines) {
  TemplateValue data = TemplateValue::MakeMap({{"show", true}});
  EXPECT_EQ(Render("<ul>\n  {{#show}}\n  <li>x</li>\n  {{/show}}\n  {{! note }}\n</ul>\n", data),
            "<ul>\n  <li>x</li>\n</ul>\n");
  EXPECT_EQ(Render("a {{#show}}b{{/show}} c\n", data), "a b c\n");
}

TEST(TemplateTest, ParseErrorsNameTheLine) {
  Status s = ParseError("line1\nline2 {{#open}}\nline3\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();

  s = ParseError("a\nb\n{{#x}}{{/y}}");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("line 3"), std::string::npos) << s.message();

  s = ParseError("a\n{{/x}}");
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();

  s = ParseError("ok\n\n\n{{unclosed");
  EXPECT_NE(s.message().find("line 4"), std::string::npos) << s.message();

  for (std::string_view bad :
       {"{{}}", "{{a..b}}", "{{a b}}", "{{{x}}", "{{=<% %>=}}", "{{#}}{{/}}", "{{x<y}}"}) {
    EXPECT_EQ(ParseError(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(TemplateTest, FailedAddLeavesTheSetUnchanged) {
  TemplateSet set;
  ASSERT_TRUE(set.Add("t", "good").ok());
  EXPECT_FALSE(set.Add("t", "{{#bad}}").ok());
  EXPECT_EQ(*set.Render("t", TemplateValue()), "good");
  EXPECT_TRUE(set.Has("t"));
  EXPECT_FALSE(set.Has("u"));
}

TEST(TemplateTest, BuildersConvertKinds) {
  TemplateValue v = "text";
  EXPECT_TRUE(v.is_string());
  v.Set("k", 1);
  EXPECT_TRUE(v.is_map());
  ASSERT_NE(v.Find("k"), nullptr);
  EXPECT_EQ(v.Find("k")->AsString(), "1");
  v.Append("x");
  EXPECT_TRUE(v.is_list());
  EXPECT_EQ(v.AsList().size(), 1u);
  EXPECT_EQ(v.Find("k"), nullptr);
  EXPECT_EQ(TemplateValue(size_t{7}).AsString(), "7");
}

}  // namespace arkwiki
