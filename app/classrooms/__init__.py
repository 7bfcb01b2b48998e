"""Classes (lớp bồi dưỡng) of a course, and the officers enrolled in them."""
