"""Export control: the dual-use control list with its commodity-code correlation and the
destination measures (``control_list``, its document form in ``control_list_document``), the
licences the export-control agency issues, and the checks and referrals of the controls stage.

Regulation (EU) 2021/821 (the EU dual-use regulation) and its Annex I give the structure.
"""
