//! Información's adapter (R13): the topic on screen, the caja's explanation of it and its table with several
//! value columns, as the `InformationFlow` global of `ui/kiosk.slint` takes it. A table's lines and a
//! calculator's answer are the common rows.

use servicaja_session::InfoTopic;
use servicaja_session::state::Information;

use super::InfoTables;
use crate::TopicChoice;

/// The `InformationFlow` global's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InformationView {
    pub topic: TopicChoice,
    /// The caja's explanatory text of the topic, in the customer's language; empty when it has none.
    pub disclosure: String,
    /// A table with several value columns: the columns' label ids, then each line's free text and its cells
    /// (label ids such as "yes" / "no").
    pub table_columns: Vec<&'static str>,
    pub table: Vec<(String, Vec<String>)>,
}

/// The adapter of an Información state, from the embedded `tables`, in English when `english`.
pub fn map_information(information: &Information, tables: &InfoTables, english: bool) -> InformationView {
    match information {
        Information::Topics => InformationView::default(),
        Information::Table(topic) => {
            let (table_columns, table) = tables.table(*topic);
            InformationView {
                topic: topic_choice(*topic),
                disclosure: tables.disclosure(*topic, english),
                table_columns,
                table,
            }
        }
        Information::Calculator { topic, .. } => InformationView {
            topic: topic_choice(*topic),
            disclosure: tables.disclosure(*topic, english),
            ..InformationView::default()
        },
    }
}

/// The window's choice of a topic (the inverse of `controller::topic_of`).
fn topic_choice(topic: InfoTopic) -> TopicChoice {
    match topic {
        InfoTopic::PaymentChannels => TopicChoice::Channels,
        InfoTopic::InsuranceCoverage => TopicChoice::Coverage,
        InfoTopic::MultiriskDeductibles => TopicChoice::Deductibles,
        InfoTopic::MiViviendaBond => TopicChoice::Mivivienda,
        InfoTopic::TechoPropioBond => TopicChoice::TechoPropio,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::topic_of;

    const CHOICES: [TopicChoice; 5] = [
        TopicChoice::Channels,
        TopicChoice::Coverage,
        TopicChoice::Deductibles,
        TopicChoice::Mivivienda,
        TopicChoice::TechoPropio,
    ];

    #[test]
    fn every_table_names_its_topic() {
        let tables = InfoTables::embedded();
        for choice in CHOICES {
            assert_eq!(map_information(&Information::Table(topic_of(choice)), &tables, false).topic, choice);
        }
    }

    #[test]
    fn the_coverages_come_as_a_table_under_the_two_policies_with_the_caja_s_explanation() {
        let tables = InfoTables::embedded();
        let coverage = map_information(&Information::Table(InfoTopic::InsuranceCoverage), &tables, false);
        assert_eq!(coverage.table_columns, ["traditional", "with-refund"]);
        assert!(!coverage.table.is_empty());
        assert!(coverage.table.iter().all(|(_, cells)| cells.iter().all(|c| c == "yes" || c == "no")));
        assert!(!coverage.disclosure.is_empty());
        let english = map_information(&Information::Table(InfoTopic::InsuranceCoverage), &tables, true);
        assert_ne!(english.disclosure, coverage.disclosure, "the explanation follows the customer's language");
    }

    #[test]
    fn the_channels_have_no_explanation_and_no_columns() {
        let channels = map_information(&Information::Table(InfoTopic::PaymentChannels), &InfoTables::embedded(), false);
        assert!(channels.disclosure.is_empty() && channels.table_columns.is_empty() && channels.table.is_empty());
    }

    #[test]
    fn a_calculator_names_its_topic_and_explains_it_without_a_table() {
        let calculator = Information::Calculator {
            topic: InfoTopic::MultiriskDeductibles,
            typed: "50000".into(),
            value: None,
            result: None,
            error: None,
        };
        let view = map_information(&calculator, &InfoTables::embedded(), false);
        assert_eq!(view.topic, TopicChoice::Deductibles);
        assert!(!view.disclosure.is_empty());
        assert!(view.table_columns.is_empty());
        assert_eq!(map_information(&Information::Topics, &InfoTables::embedded(), false), InformationView::default());
    }
}
