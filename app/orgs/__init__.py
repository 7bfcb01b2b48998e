"""The org tree, role grants and permissions."""
