"""Reading a task's data: splits, tabular rows and the other sources."""
