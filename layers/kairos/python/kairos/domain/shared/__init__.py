"""What every domain concept shares: stored records, repository ports, lists, query and input fields."""
