import AWWatcherRunner
import LoadWatcher

await WatcherRunner.main(LoadWatcher.self)
