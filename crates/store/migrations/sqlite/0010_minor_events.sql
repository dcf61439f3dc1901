-- Events that end or change a minor's stay: an absconding is reported to the police and
-- the juvenile court and the record stays open for tracing; at 18 the permit is converted
-- (with the Ministry of Labour's opinion) and support may continue up to 21 ("prosieguo
-- amministrativo"), requested before or after the 18th birthday.

ALTER TABLE minors ADD COLUMN police_report_on TEXT;
ALTER TABLE minors ADD COLUMN court_report_on TEXT;
ALTER TABLE minors ADD COLUMN continued_support_requested_on TEXT;
ALTER TABLE minors ADD COLUMN continued_support_decision TEXT;
ALTER TABLE minors ADD COLUMN labour_opinion_requested_on TEXT;
ALTER TABLE minors ADD COLUMN permit_conversion_on TEXT;
