// The directory target: the OffsiteTarget contract on a local directory,
// durable all-or-nothing Put, and a full disk or I/O error leaving nothing.
#include "arkwiki/backup/directory_target.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "arkwiki/testing/fault_injection_env.h"
#include "offsite/offsite_record.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// Fails every Append with `code` while armed, as a disk that fills up does;
// removing files still works, as it does on a full disk.
class FailingAppendEnv : public EnvWrapper {
 public:
  explicit FailingAppendEnv(Env* target, StatusCode code) : EnvWrapper(target), code_(code) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(p, m));
    return std::unique_ptr<WritableFile>(new FullFile(std::move(file), code_));
  }

 private:
  class FullFile : public WritableFile {
   public:
    FullFile(std::unique_ptr<WritableFile> f, StatusCode code) : f_(std::move(f)), code_(code) {}
    Status Append(std::string_view) override { return {code_, "write: injected"}; }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }

   private:
    std::unique_ptr<WritableFile> f_;
    StatusCode code_;
  };
  StatusCode code_;
};

class DirectoryTargetTest : public ::testing::Test {
 protected:
  std::unique_ptr<OffsiteTarget> Open(Env* env = Env::Default()) {
    auto target = OpenDirectoryTarget(env, root_, true);
    EXPECT_TRUE(target.ok()) << target.status().ToString();
    return target.ok() ? std::move(target).value() : nullptr;
  }
  std::string GetString(OffsiteTarget* t, const std::string& key) {
    StringByteSink sink;
    Status s = t->Get(key, UINT64_MAX, &sink);
    return s.ok() ? sink.data() : "<" + s.ToString() + ">";
  }
  std::vector<std::string> Files() {
    std::string print = testing::TreeFingerprint(root_);
    std::vector<std::string> files;
    for (size_t at = 0; at < print.size();) {
      size_t eol = print.find('\n', at);
      files.push_back(print.substr(at, print.find(' ', at) - at));
      at = eol + 1;
    }
    return files;
  }

  testing::TempDir dir_;
  std::string root_ = dir_.Sub("target");
};

TEST_F(DirectoryTargetTest, PutGetStatListRemove) {
  auto t = Open();
  ASSERT_TRUE(t->Put("objects/ab/abc", StringFile("hello")).ok());
  ASSERT_TRUE(t->Put("snapshots/x", StringFile("record")).ok());
  ASSERT_TRUE(t->Put("key", StringFile("k")).ok());
  EXPECT_EQ(GetString(t.get(), "objects/ab/abc"), "hello");
  EXPECT_EQ(*t->Stat("snapshots/x"), 6u);
  auto objects = t->List("objects/");
  ASSERT_TRUE(objects.ok());
  ASSERT_EQ(objects->size(), 1u);
  EXPECT_EQ(objects->at(0).key, "objects/ab/abc");
  EXPECT_EQ(objects->at(0).size, 5u);
  EXPECT_EQ(t->List("")->size(), 3u);
  ASSERT_TRUE(t->Remove("objects/ab/abc").ok());
  EXPECT_TRUE(t->Remove("objects/ab/abc").ok()) << "removing an absent object is OK";
  EXPECT_EQ(t->Stat("objects/ab/abc").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t->Get("nothing", UINT64_MAX, nullptr).code(), StatusCode::kNotFound);
  EXPECT_TRUE(t->List("objects/")->empty());
}

TEST_F(DirectoryTargetTest, PutReplacesWholeObject) {
  auto t = Open();
  ASSERT_TRUE(t->Put("k", StringFile("first version, long")).ok());
  ASSERT_TRUE(t->Put("k", StringFile("second")).ok());
  EXPECT_EQ(GetString(t.get(), "k"), "second");
}

TEST_F(DirectoryTargetTest, RefusesKeysThatLeaveTheDirectory) {
  auto t = Open();
  for (const char* key : {"../x", "a/../../x", "/abs", "", "a//b", ".incoming/x", "a/b/"}) {
    EXPECT_EQ(t->Put(key, StringFile("x")).code(), StatusCode::kInvalidArgument) << key;
  }
}

TEST_F(DirectoryTargetTest, FullDiskIsNoSpaceNamingTheDirectoryAndLeavesNothing) {
  ASSERT_NE(Open(), nullptr);
  FailingAppendEnv full(Env::Default(), StatusCode::kNoSpace);
  auto t = Open(&full);
  Status s = t->Put("objects/ab/abc", StringFile(std::string(3 << 20, 'x')));
  EXPECT_EQ(s.code(), StatusCode::kNoSpace);
  EXPECT_NE(s.message().find("target directory " + root_ + " is full"), std::string::npos)
      << s.message();
  EXPECT_TRUE(Files().empty()) << testing::TreeFingerprint(root_);
}

TEST_F(DirectoryTargetTest, IoErrorLeavesTheEarlierObject) {
  ASSERT_TRUE(Open()->Put("k", StringFile("old")).ok());
  FailingAppendEnv failing(Env::Default(), StatusCode::kIoError);
  auto t = Open(&failing);
  EXPECT_EQ(t->Put("k", StringFile("new")).code(), StatusCode::kIoError);
  EXPECT_EQ(GetString(Open().get(), "k"), "old");
  EXPECT_EQ(Files(), std::vector<std::string>{"k"});
}

// Every mutating step of a Put fails in turn: the object is then either
// absent or whole, never partial, and a later Put succeeds.
TEST_F(DirectoryTargetTest, FailureAtEveryStepLeavesNoPartialObject) {
  const std::string data(100000, 'd');
  for (uint64_t n = 1;; ++n) {
    testing::TempDir scratch;
    FaultInjectionEnv env(Env::Default());
    auto target = OpenDirectoryTarget(&env, scratch.Sub("t"), true);
    ASSERT_TRUE(target.ok());
    env.FailAt(env.operations() + n);
    Status s = (*target)->Put("objects/ab/abc", StringFile(data));
    env.FailAt(0);
    auto reader = OpenDirectoryTarget(Env::Default(), scratch.Sub("t"), false);
    StringByteSink got;
    Status g = (*reader)->Get("objects/ab/abc", UINT64_MAX, &got);
    if (g.ok()) {
      EXPECT_EQ(got.data(), data) << "step " << n;
    } else {
      EXPECT_EQ(g.code(), StatusCode::kNotFound) << "step " << n;
      EXPECT_FALSE(s.ok()) << "step " << n;
    }
    if (s.ok()) break;
    EXPECT_TRUE((*reader)->List("")->empty() || g.ok()) << "step " << n;
    ASSERT_LT(n, 30u);
  }
}

TEST_F(DirectoryTargetTest, MissingDirectoryIsNotFoundForReading) {
  EXPECT_EQ(OpenDirectoryTarget(Env::Default(), root_, false).status().code(),
            StatusCode::kNotFound);
}

// What a crashed Put left in .incoming goes once it is a day old; a
// younger file may be another writer's Put in progress (another process,
// or another machine sharing the disk), which no lock here covers. A link
// there goes as a link: what it points to is left alone.
TEST_F(DirectoryTargetTest, OpeningForWritingRemovesOnlyIncomingEntriesADayOld) {
  ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0);
  const std::string incoming = root_ + "/.incoming";
  ASSERT_EQ(::mkdir(incoming.c_str(), 0700), 0);
  testing::TempDir elsewhere;
  const std::string outside = elsewhere.Sub("outside");
  ASSERT_EQ(::mkdir(outside.c_str(), 0700), 0);
  std::ofstream(outside + "/file") << "a file of this machine";
  std::ofstream(incoming + "/crashed.part") << "left by a crash";
  std::ofstream(incoming + "/writing.part") << "another writer's";
  ASSERT_EQ(::symlink(outside.c_str(), (incoming + "/planted.part").c_str()), 0);
  const auto age = [](const std::string& path, int64_t seconds) {
    const int64_t then = ::time(nullptr) - seconds;
    const struct timespec times[2] = {{then, 0}, {then, 0}};
    return ::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW);
  };
  ASSERT_EQ(age(incoming + "/crashed.part", 25 * 3600), 0);
  ASSERT_EQ(age(incoming + "/writing.part", 23 * 3600), 0);
  ASSERT_EQ(age(incoming + "/planted.part", 25 * 3600), 0);
  const std::string outside_before = testing::TreeFingerprint(elsewhere.path());

  ASSERT_NE(Open(), nullptr);
  EXPECT_FALSE(*Env::Default()->FileExists(incoming + "/crashed.part"));
  EXPECT_FALSE(*Env::Default()->FileExists(incoming + "/planted.part"));
  EXPECT_TRUE(*Env::Default()->FileExists(incoming + "/writing.part"));
  EXPECT_EQ(testing::TreeFingerprint(elsewhere.path()), outside_before);

  ASSERT_EQ(age(incoming + "/writing.part", 25 * 3600), 0);
  ASSERT_NE(Open(), nullptr);
  EXPECT_FALSE(*Env::Default()->FileExists(incoming)) << "an emptied .incoming goes too";
}

// Stands for another writer racing a Put: at each of the Put's first
// `races` creates in .incoming, removes .incoming; with `plant_link` it puts
// a link to `outside` there instead and fails the create as a removed
// directory would.
class IncomingRacingEnv : public EnvWrapper {
 public:
  IncomingRacingEnv(Env* target, std::string incoming, int races, std::string outside = "")
      : EnvWrapper(target),
        incoming_(std::move(incoming)),
        races_(races),
        outside_(std::move(outside)) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    if (creates_ < races_ && p.rfind(incoming_ + "/", 0) == 0) {
      ++creates_;
      EXPECT_TRUE(target()->RemoveDir(incoming_).ok());
      if (!outside_.empty()) {
        EXPECT_EQ(::symlink(outside_.c_str(), incoming_.c_str()), 0);
        return Status::NotFound("create " + p + ": injected");
      }
    }
    return target()->NewWritableFile(p, m);
  }
  int creates_ = 0;

 private:
  std::string incoming_;
  int races_;
  std::string outside_;
};

// Another writer's opening removes .incoming when it finds it empty, which
// may fall between a Put's making it and its creating the .part file there:
// the Put makes it again, a few times, and checks it again each time.
TEST_F(DirectoryTargetTest, APutSurvivesIncomingRemovedBeforeItsFileIsCreated) {
  IncomingRacingEnv env(Env::Default(), root_ + "/.incoming", 2);
  auto t = Open(&env);
  ASSERT_NE(t, nullptr);
  ASSERT_TRUE(t->Put("objects/ab/x", StringFile("bytes")).ok());
  EXPECT_EQ(env.creates_, 2);
  EXPECT_EQ(GetString(t.get(), "objects/ab/x"), "bytes");

  IncomingRacingEnv always(Env::Default(), root_ + "/.incoming", 100);
  auto racing = Open(&always);
  ASSERT_NE(racing, nullptr);
  EXPECT_EQ(racing->Put("objects/ab/y", StringFile("bytes")).code(), StatusCode::kNotFound);
  EXPECT_EQ(always.creates_, 4) << "four attempts, then the failure";
}

TEST_F(DirectoryTargetTest, APutMakingIncomingAgainRefusesALinkPlantedThere) {
  testing::TempDir elsewhere;
  const std::string outside = elsewhere.Sub("outside");
  ASSERT_EQ(::mkdir(outside.c_str(), 0700), 0);
  IncomingRacingEnv env(Env::Default(), root_ + "/.incoming", 1, outside);
  auto t = Open(&env);
  ASSERT_NE(t, nullptr);
  const Status put = t->Put("objects/ab/x", StringFile("bytes"));
  EXPECT_EQ(put.code(), StatusCode::kCorruption) << put.ToString();
  EXPECT_EQ(testing::TreeFingerprint(outside), "") << "a Put wrote outside the target";
}

// Counts what it is given.
class CountingSink : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    bytes += data.size();
    return Status::Ok();
  }
  uint64_t bytes = 0;
};

TEST_F(DirectoryTargetTest, GetStopsOnceTheObjectProvesLongerThanMaxBytes) {
  auto t = Open();
  const std::string data((size_t{3} << 20) + 5, 'd');
  ASSERT_TRUE(t->Put("objects/ab/long", StringFile(data)).ok());
  CountingSink whole;
  ASSERT_TRUE(t->Get("objects/ab/long", data.size(), &whole).ok());
  EXPECT_EQ(whole.bytes, data.size());
  for (uint64_t max : {uint64_t{0}, uint64_t{10}, uint64_t{data.size() - 1}}) {
    CountingSink cut;
    const Status s = t->Get("objects/ab/long", max, &cut);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << max << ": " << s.ToString();
    EXPECT_NE(s.message().find("objects/ab/long"), std::string::npos) << s.message();
    EXPECT_LE(cut.bytes, max) << "bytes past max_bytes reached the sink";
  }
}

// A name planted in the directory that arkwiki could not have written
// (here with a terminal escape) is not listed, so it reaches no message.
TEST_F(DirectoryTargetTest, ListShowsOnlyNamesArkwikiCouldHaveWritten) {
  auto t = Open();
  ASSERT_TRUE(t->Put("objects/ab/abc", StringFile("hello")).ok());
  std::ofstream(root_ + "/objects/ab/\x1b[31mred\n", std::ios::binary) << "planted";
  auto listed = t->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "objects/ab/abc");
  const Status refused = t->Remove("objects/ab/\x1b[31mred\n");
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message().find('\x1b'), std::string::npos) << refused.message();
}

// Whoever controls the directory may plant a FIFO (whose open would block
// forever without a writer) or a link to a file of this machine under a
// key: only a regular file is read as an object.
TEST_F(DirectoryTargetTest, GetRefusesAFifoOrALinkUnderAKey) {
  auto t = Open();
  ASSERT_TRUE(t->Put("objects/ab/real", StringFile("real")).ok());
  const std::string fifo = root_ + "/objects/ab/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A writer that stays open, with more bytes than the Get below allows,
  // so that a Get that opens the FIFO ends instead of blocking.
  const int writer = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  ASSERT_GE(writer, 0);
  ASSERT_EQ(::write(writer, "0123456789", 10), 10);
  testing::TempDir elsewhere;
  const std::string outside = elsewhere.Sub("local-secret");
  std::ofstream(outside) << "a file of this machine";
  ASSERT_EQ(::symlink(outside.c_str(), (root_ + "/objects/ab/link").c_str()), 0);
  for (const std::string key : {"objects/ab/fifo", "objects/ab/link"}) {
    CountingSink got;
    const Status s = t->Get(key, 5, &got);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << key << ": " << s.ToString();
    EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
    EXPECT_EQ(got.bytes, 0u) << key;
  }
  ::close(writer);
  EXPECT_EQ(t->Get("objects/ab/absent", 5, nullptr).code(), StatusCode::kNotFound);
  EXPECT_EQ(GetString(t.get(), "objects/ab/real"), "real");
}

// A link planted in place of one of a key's directories, or of
// .incoming, would carry a Put out of the target: it is refused, and
// nothing is written where the link points.
TEST_F(DirectoryTargetTest, PutDoesNotWriteThroughALinkedDirectory) {
  auto t = Open();
  testing::TempDir elsewhere;
  const std::string outside = elsewhere.Sub("outside");
  ASSERT_EQ(::mkdir(outside.c_str(), 0700), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (root_ + "/objects").c_str()), 0);
  const Status through_key = t->Put("objects/ab/x", StringFile("bytes"));
  EXPECT_EQ(through_key.code(), StatusCode::kCorruption) << through_key.ToString();
  EXPECT_NE(through_key.message().find("not a directory"), std::string::npos)
      << through_key.message();
  ASSERT_EQ(::unlink((root_ + "/objects").c_str()), 0);
  ASSERT_EQ(::rmdir((root_ + "/.incoming").c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), (root_ + "/.incoming").c_str()), 0);
  const Status through_incoming = t->Put("objects/ab/x", StringFile("bytes"));
  EXPECT_EQ(through_incoming.code(), StatusCode::kCorruption) << through_incoming.ToString();
  EXPECT_EQ(testing::TreeFingerprint(outside), "") << "a Put wrote outside the target";
}

// A link planted in place of a key's directory (the target's disk is
// someone else's NAS) would let a listing and a prune reach this machine's
// files: listing, removing, reading and statting through it are refused,
// and nothing where it points is touched.
TEST_F(DirectoryTargetTest, NothingListsRemovesOrReadsThroughALinkedDirectory) {
  auto t = Open();
  testing::TempDir elsewhere;
  const std::string outside = elsewhere.Sub("outside");
  ASSERT_EQ(::mkdir(outside.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((outside + "/ab").c_str(), 0700), 0);
  std::ofstream(outside + "/ab/victim") << "a file of this machine";
  std::ofstream(outside + "/top") << "another";
  const std::string before = testing::TreeFingerprint(outside);
  for (const std::string dir : {"objects", "packs"}) {
    SCOPED_TRACE(dir);
    ASSERT_EQ(::symlink(outside.c_str(), (root_ + "/" + dir).c_str()), 0);
    const auto listed = t->List(dir + "/");
    EXPECT_EQ(listed.status().code(), StatusCode::kCorruption) << listed.status().ToString();
    EXPECT_NE(listed.status().message().find("refusing to list through it"), std::string::npos)
        << listed.status().message();
    const Status removed = t->Remove(dir + "/ab/victim");
    EXPECT_EQ(removed.code(), StatusCode::kCorruption) << removed.ToString();
    EXPECT_EQ(t->Remove(dir + "/top").code(), StatusCode::kCorruption);
    EXPECT_EQ(t->Stat(dir + "/top").status().code(), StatusCode::kCorruption);
    EXPECT_EQ(GetString(t.get(), dir + "/ab/victim").find("<corruption"), 0u)
        << GetString(t.get(), dir + "/ab/victim");
    ASSERT_EQ(::unlink((root_ + "/" + dir).c_str()), 0);
  }
  // One level down, too.
  ASSERT_TRUE(t->Put("objects/cd/real", StringFile("real")).ok());
  ASSERT_EQ(::symlink(outside.c_str(), (root_ + "/objects/ab").c_str()), 0);
  EXPECT_EQ(t->Remove("objects/ab/victim").code(), StatusCode::kCorruption);
  EXPECT_EQ(t->List("objects/ab/").status().code(), StatusCode::kCorruption);
  const auto all = t->List("objects/");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 1u) << "the walk does not descend into the link";
  EXPECT_EQ((*all)[0].key, "objects/cd/real");
  EXPECT_EQ(testing::TreeFingerprint(outside), before) << "something outside the target changed";
  // Missing directories are still just absent.
  EXPECT_TRUE(t->Remove("snapshots/none").ok());
  EXPECT_TRUE(t->List("snapshots/").value().empty());
}

}  // namespace
}  // namespace arkwiki
