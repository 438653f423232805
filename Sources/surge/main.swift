import App

// Before any task exists, so every task runs on the event loops.
_ = runTasksOnEventLoops()
await Surge.runAsRoot()
