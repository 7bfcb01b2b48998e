"""Rounds: an officer's take of a course (a ProgressCycle), the frame lessons and quizzes are done in."""
