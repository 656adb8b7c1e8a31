#include "request_lane.h"

#include <gtest/gtest.h>

namespace arkwiki::web {
namespace {

TEST(RequestLaneTest, SearchesDownloadsAndUploadsAreLong) {
  EXPECT_EQ(LaneOf("GET", "/api/search?q=quux"), Lane::kLong);
  EXPECT_EQ(LaneOf("GET", "/search?q=a+b"), Lane::kLong);
  EXPECT_EQ(LaneOf("POST", "/api/backups"), Lane::kLong);
  EXPECT_EQ(LaneOf("POST", "/api/backups/verify"), Lane::kLong);  // a whole archive, checked
  EXPECT_EQ(LaneOf("POST", "/settings/backup/create"), Lane::kLong);
  EXPECT_EQ(LaneOf("GET", "/api/restore-points/20261202T101010Z/archive"), Lane::kLong);
  EXPECT_EQ(LaneOf("GET", "/settings/backup/points/abc/archive"), Lane::kLong);
  EXPECT_EQ(LaneOf("POST", "/api/restore"), Lane::kLong);
  EXPECT_EQ(LaneOf("POST", "/settings/backup/import"), Lane::kLong);
  EXPECT_EQ(LaneOf("POST", "/api/pages/Home/uploads"), Lane::kLong);
}

TEST(RequestLaneTest, PageViewsAndOtherShortRequestsAreViews) {
  EXPECT_EQ(LaneOf("GET", "/wiki/Home"), Lane::kView);
  EXPECT_EQ(LaneOf("GET", "/wiki/search"), Lane::kView);
  EXPECT_EQ(LaneOf("POST", "/wiki/Home/edit"), Lane::kView);
  EXPECT_EQ(LaneOf("GET", "/api/health"), Lane::kView);
  EXPECT_EQ(LaneOf("GET", "/api/restore-points"), Lane::kView);  // the list, not a download
  EXPECT_EQ(LaneOf("POST", "/api/search"), Lane::kView);         // no such route: 405
  EXPECT_EQ(LaneOf("GET", "/api/restore-points//archive"), Lane::kView);  // empty id
  EXPECT_EQ(LaneOf("GET", "/api/search/more"), Lane::kView);
  EXPECT_EQ(LaneOf("GET", "/api/pages/Home/uploads"), Lane::kView);
  EXPECT_EQ(LaneOf("GET", "/setup"), Lane::kView);  // the form
}

TEST(RequestLaneTest, TheFirstRunRestoreFromATargetIsLong) {
  EXPECT_EQ(LaneOf("POST", "/setup"), Lane::kLong);  // reads every record of the target
  EXPECT_EQ(LaneOf("POST", "/setup/restore"), Lane::kLong);
}

TEST(RequestLaneTest, HeadIsSortedByItsRequestLine) {
  EXPECT_EQ(LaneOfHead("GET /api/search?q=x HTTP/1.1\r\nHost: a\r\n\r\n"), Lane::kLong);
  EXPECT_EQ(LaneOfHead("GET /wiki/Home HTTP/1.1\r\nX: /api/search\r\n\r\n"), Lane::kView);
  EXPECT_EQ(LaneOfHead("POST /api/backups HTTP/1.0\n\n"), Lane::kLong);
  EXPECT_EQ(LaneOfHead("garbage"), Lane::kView);
  EXPECT_EQ(LaneOfHead(""), Lane::kView);
}

}  // namespace
}  // namespace arkwiki::web
