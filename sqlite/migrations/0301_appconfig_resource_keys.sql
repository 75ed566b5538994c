-- Tags and extension associations are keyed by the resource part of the ARN
-- ("application/abc1234"), not the whole ARN, so they follow the configured
-- region and account. Rows written before were ARNs of us-east-1 and
-- account 000000000000.
UPDATE appconfig_tags
	SET arn = substr(arn, length('arn:aws:appconfig:us-east-1:000000000000:') + 1)
	WHERE arn LIKE 'arn:aws:appconfig:us-east-1:000000000000:%';
UPDATE appconfig_docs
	SET parent = substr(parent, length('arn:aws:appconfig:us-east-1:000000000000:') + 1)
	WHERE kind = 'extensionassociation' AND parent LIKE 'arn:aws:appconfig:us-east-1:000000000000:%';
