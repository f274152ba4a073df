"""What the staff data-entry pages share: access rules, the frozen-plan policy, spreadsheets."""
