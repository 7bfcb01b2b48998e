"""Học Số: a learning-management system for training Vietnamese public officers."""
