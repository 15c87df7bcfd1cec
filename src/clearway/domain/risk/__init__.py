"""Risk management and selectivity: the rule language, lanes and their targets, the learned
model's features and the reasons given for a score."""
