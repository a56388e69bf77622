const { composeAppWebpackConfig } = require('../../tools/build/webpack.app');

module.exports = composeAppWebpackConfig(__dirname, { openApi: true });
