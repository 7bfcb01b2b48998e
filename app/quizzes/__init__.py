"""Quizzes: grading answers to the questions that course files define."""
