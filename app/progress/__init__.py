"""Learning progress: lesson completions in cycles (a retake is a new cycle), course completion."""
