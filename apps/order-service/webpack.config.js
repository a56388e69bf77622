const { composeAppWebpackConfig } = require('../../tools/build/webpack.app');

module.exports = composeAppWebpackConfig(__dirname, { entries: ['migrate', 'dlq-replay'] });
