// name: schema
// purpose: constraints and indexes for every node label of the graph schema
// parameters: none
// GENERATED from graph_model/schema.yaml by `python -m graph_model.cypher_schema`; do not edit.
CREATE CONSTRAINT ad_cluster_uid IF NOT EXISTS FOR (n:AdCluster) REQUIRE n.uid IS UNIQUE;
CREATE INDEX ad_cluster_label IF NOT EXISTS FOR (n:AdCluster) ON (n.label);
CREATE CONSTRAINT address_uid IF NOT EXISTS FOR (n:Address) REQUIRE n.uid IS UNIQUE;
CREATE INDEX address_postcode IF NOT EXISTS FOR (n:Address) ON (n.postcode);
CREATE INDEX address_house_number IF NOT EXISTS FOR (n:Address) ON (n.house_number);
CREATE INDEX address_label IF NOT EXISTS FOR (n:Address) ON (n.label);
CREATE CONSTRAINT bank_account_uid IF NOT EXISTS FOR (n:BankAccount) REQUIRE n.uid IS UNIQUE;
CREATE INDEX bank_account_iban IF NOT EXISTS FOR (n:BankAccount) ON (n.iban);
CREATE CONSTRAINT case_uid IF NOT EXISTS FOR (n:Case) REQUIRE n.uid IS UNIQUE;
CREATE INDEX case_case_number IF NOT EXISTS FOR (n:Case) ON (n.case_number);
CREATE CONSTRAINT email_uid IF NOT EXISTS FOR (n:Email) REQUIRE n.uid IS UNIQUE;
CREATE INDEX email_address IF NOT EXISTS FOR (n:Email) ON (n.address);
CREATE CONSTRAINT online_ad_uid IF NOT EXISTS FOR (n:OnlineAd) REQUIRE n.uid IS UNIQUE;
CREATE INDEX online_ad_site IF NOT EXISTS FOR (n:OnlineAd) ON (n.site);
CREATE INDEX online_ad_ad_id IF NOT EXISTS FOR (n:OnlineAd) ON (n.ad_id);
CREATE INDEX online_ad_title IF NOT EXISTS FOR (n:OnlineAd) ON (n.title);
CREATE CONSTRAINT organisation_uid IF NOT EXISTS FOR (n:Organisation) REQUIRE n.uid IS UNIQUE;
CREATE INDEX organisation_name IF NOT EXISTS FOR (n:Organisation) ON (n.name);
CREATE CONSTRAINT person_uid IF NOT EXISTS FOR (n:Person) REQUIRE n.uid IS UNIQUE;
CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name);
CREATE CONSTRAINT phone_uid IF NOT EXISTS FOR (n:Phone) REQUIRE n.uid IS UNIQUE;
CREATE INDEX phone_number IF NOT EXISTS FOR (n:Phone) ON (n.number);
CREATE CONSTRAINT region_uid IF NOT EXISTS FOR (n:Region) REQUIRE n.uid IS UNIQUE;
CREATE INDEX region_name IF NOT EXISTS FOR (n:Region) ON (n.name);
CREATE CONSTRAINT signal_uid IF NOT EXISTS FOR (n:Signal) REQUIRE n.uid IS UNIQUE;
CREATE INDEX signal_kind IF NOT EXISTS FOR (n:Signal) ON (n.kind);
CREATE CONSTRAINT vehicle_uid IF NOT EXISTS FOR (n:Vehicle) REQUIRE n.uid IS UNIQUE;
CREATE INDEX vehicle_plate IF NOT EXISTS FOR (n:Vehicle) ON (n.plate);
