"""Courses: course content as files, parsed, imported and served."""
